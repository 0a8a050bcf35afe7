using System.Text;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// Where keys that cannot be plain files live (<c>a</c> beside <c>a/b</c>, <c>a//b</c>, <c>../x</c>,
/// long segments): in the store's own area, <c>.s3overlay/keys/&lt;bucket&gt;/</c>, at a path that
/// follows the key's segments with every name spelled in lower-case hex of its UTF-8 bytes and
/// marked by its first letter:
/// <code>
/// d&lt;hex&gt;/   a whole segment followed by '/'      (a//b   → d61/d/k62)
/// k&lt;hex&gt;    the key's last segment: the body      (a      → k61)
/// c&lt;hex&gt;/   30 characters of a longer segment    (a segment of 70 → c…/c…/k…)
/// </code>
/// Why this shape: the names hold only <c>[0-9a-f]</c> after one of three letters, so no key can
/// leave the area, name <c>.</c> or <c>..</c>, or differ from another only by case (a case-folding
/// file system cannot merge two keys); a file (<c>k</c>) and a folder (<c>d</c>, <c>c</c>) never
/// share a name, so any set of keys fits at once; a name is at most 241 characters. And since the
/// folders follow the key's segments, the listing walks this area as it walks a bucket folder:
/// pruned by prefix and start-after, a folder rolled up by the delimiter <c>/</c> without being
/// opened. For that, each folder's subtree must hold exactly the keys starting with the key prefix
/// it stands for: a continuation (<c>c</c>) always holds exactly 30 characters and a segment's last
/// piece fewer, so no other entry's prefix extends a continuation's.
/// </summary>
internal sealed class EncodedKeys : IKeyNames
{
    public static readonly EncodedKeys Instance = new();

    /// <summary>Characters (runes) per continuation: 30 × 4 UTF-8 bytes × 2 hex digits + 1 letter fits a 255-byte file name.</summary>
    private const int RunesPerPiece = 30;

    /// <summary>The key's body file in the store's area: relative to it, below the bucket's folder there.</summary>
    public static string PathOf(string bucket, string key)
    {
        var names = new List<string> { bucket };
        var segments = key.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            var rest = segments[i].AsSpan();
            // Whole continuations while at least that many characters remain; the remainder (maybe empty) is the segment's end.
            while (CountRunes(rest, RunesPerPiece) == RunesPerPiece)
            {
                var length = RuneChars(rest, RunesPerPiece);
                names.Add(Name('c', rest[..length]));
                rest = rest[length..];
            }
            names.Add(Name(i < segments.Length - 1 ? 'd' : 'k', rest));
        }
        return string.Join('/', names);
    }

    /// <summary>The key (a body) or key prefix (a folder) an entry of the area stands for; null for anything else.</summary>
    public string? NameOf(string folderPrefix, FileSystemInfo entry)
    {
        var name = entry.Name;
        if (name.Length % 2 != 1 || Decode(name.AsSpan(1)) is not { } piece) return null;
        return (name[0], entry is DirectoryInfo) switch
        {
            ('k', false) => folderPrefix + piece,
            ('d', true) => folderPrefix + piece + "/",
            ('c', true) => folderPrefix + piece,
            _ => null,
        };
    }

    private static string Name(char kind, ReadOnlySpan<char> piece) => kind + Convert.ToHexStringLower(Encoding.UTF8.GetBytes(piece.ToArray()));

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    private static string? Decode(ReadOnlySpan<char> hex)
    {
        foreach (var c in hex)
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f')) return null; // only the spelling this store writes
        try { return StrictUtf8.GetString(Convert.FromHexString(hex)); }
        catch (DecoderFallbackException) { return null; }
    }

    private static int CountRunes(ReadOnlySpan<char> text, int atMost)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
            if (++count == atMost) break;
        return count;
    }

    private static int RuneChars(ReadOnlySpan<char> text, int runes)
    {
        var chars = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (runes-- == 0) break;
            chars += rune.Utf16SequenceLength;
        }
        return chars;
    }
}
