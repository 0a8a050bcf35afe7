using System.IO.Enumeration;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// One step of a walk: a key, its file and what the folder's entry says of it; or (delimiter
/// <c>/</c>) a whole folder rolled up.
/// </summary>
internal readonly record struct WalkEntry(string Name, KeyFile? File, FileInfo? Entry)
{
    public bool IsCommonPrefix => File is null;

    /// <summary>A link: its entry tells nothing of the file it leads to (which is read through the folder, or not at all).</summary>
    public bool IsLink => Entry is not null && ListingWalker.IsLink(Entry.Attributes);
}

/// <summary>How the entries of a folder tree stand for keys (<see cref="PlainKeys"/>, <see cref="EncodedKeys"/>).</summary>
internal interface IKeyNames
{
    /// <summary>
    /// The key a file stands for, or the prefix every key below a folder starts with (ending in
    /// <c>/</c> when the folder stands for a whole segment); null when the entry stands for none.
    /// </summary>
    string? NameOf(string folderPrefix, FileSystemInfo entry);
}

/// <summary>
/// Walks a folder tree (a bucket folder, or the bucket's part of the store's area) in S3's key order. Within a folder the entries are sorted by what they
/// contribute to keys (a sub-folder as <c>name/</c>, a folder marker as the folder itself), which
/// makes a depth-first walk yield keys in UTF-8 byte order across nesting (<c>a-b</c> before
/// <c>a/b</c>). Folders that cannot hold a key matching the prefix, or hold only keys at or before
/// StartAfter, are never opened, so a page deep in a big tree costs about one path's worth of
/// directory reads. With delimiter <c>/</c> a folder below the prefix is yielded as one common
/// prefix without being walked. Every folder is opened through <paramref name="root"/>, so the walk
/// never leaves it: a link to a folder is walked only when it stays inside (and is not one of the
/// folders being walked, which would never end), a link to a file is listed as that file only when
/// a read would reach it.
/// </summary>
/// <param name="start">The folder to walk, relative to <paramref name="root"/> (empty: the root itself).</param>
/// <param name="inOrder">False: every key, in no order (a rebuild of the listing index, which orders them itself, spared sorting a folder of a million entries).</param>
internal sealed class ListingWalker(ConfinedFolder root, string start, IKeyNames names, string prefix, string? delimiter, string? startAfter, bool inOrder = true)
{
    private readonly bool _rollUpFolders = delimiter == "/";
    private readonly HashSet<(ulong, ulong)> _walking = [];

    public IEnumerable<WalkEntry> Walk() => WalkFolder(start, "");

    /// <summary>
    /// Two walks as one, in key order. A key found in both (a file put by hand at the path of a key
    /// the store keeps in its area) is the plain file's, as reads see it.
    /// </summary>
    public static IEnumerable<WalkEntry> Merge(IEnumerable<WalkEntry> plain, IEnumerable<WalkEntry> encoded)
    {
        using var a = plain.GetEnumerator();
        using var b = encoded.GetEnumerator();
        bool hasA = a.MoveNext(), hasB = b.MoveNext();
        while (hasA || hasB)
        {
            var order = !hasB ? -1 : !hasA ? 1 : Utf8Order.Compare(a.Current.Name, b.Current.Name);
            if (order == 0 && !a.Current.IsCommonPrefix && !b.Current.IsCommonPrefix) hasB = b.MoveNext();
            if (order <= 0)
            {
                yield return a.Current;
                hasA = a.MoveNext();
            }
            else
            {
                yield return b.Current;
                hasB = b.MoveNext();
            }
        }
    }

    private IEnumerable<WalkEntry> WalkFolder(string relative, string folderPrefix)
    {
        using var folder = root.TryOpenFolder(relative);
        if (folder is null) yield break; // gone, or a link out
        var identity = FileVersion.IdentityOf(folder);
        if (identity is { } known && !_walking.Add(known)) yield break; // a link back up: walked already
        try
        {
            foreach (var (name, entry) in SortedEntries(new DirectoryInfo(root.EnumerationPath(folder, relative)), folderPrefix))
            {
                var path = Join(relative, entry.Name);
                if (entry is FileInfo file)
                {
                    // A link a read would not follow is no key (one stored at its name is in the store's area).
                    if (!IsLink(file.Attributes) || root.VersionOf(path) is not null) yield return new WalkEntry(name, new KeyFile(root, path), file);
                    continue;
                }
                if (_rollUpFolders && name[^1] == '/' && name.Length > prefix.Length && name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    // Every key below starts with this folder's prefix, and that is the first delimiter after the prefix.
                    if (IsAfterStart(name) && HoldsAnyFile(root, path)) yield return new WalkEntry(name, null, null);
                    continue;
                }
                foreach (var inner in WalkFolder(path, name)) yield return inner;
            }
        }
        finally
        {
            if (identity is { } walked) _walking.Remove(walked);
        }
    }

    private static string Join(string folder, string name) => folder.Length == 0 ? name : folder + "/" + name;

    /// <summary>The entries worth visiting, keyed by the key (file) or key prefix (folder) each stands for, in key order.</summary>
    private List<(string Name, FileSystemInfo Entry)> SortedEntries(DirectoryInfo folder, string folderPrefix)
    {
        var entries = new List<(string, FileSystemInfo)>();
        IEnumerable<FileSystemInfo> children;
        try { children = folder.EnumerateFileSystemInfos(); }
        catch (Exception e) when (e is DirectoryNotFoundException or UnauthorizedAccessException) { return entries; } // gone, or not ours to read
        try
        {
            foreach (var child in children)
            {
                if (names.NameOf(folderPrefix, child) is not { } name) continue;
                if (child is DirectoryInfo ? MayHoldMatches(name) : name.StartsWith(prefix, StringComparison.Ordinal) && IsAfterStart(name))
                    entries.Add((name, child));
            }
        }
        catch (Exception e) when (e is DirectoryNotFoundException or UnauthorizedAccessException) { }
        if (inOrder) entries.Sort((x, y) => Utf8Order.Compare(x.Item1, y.Item1));
        return entries;
    }

    /// <summary>Whether a folder whose keys all start with <paramref name="folder"/> can hold a key to list.</summary>
    private bool MayHoldMatches(string folder)
    {
        if (!folder.StartsWith(prefix, StringComparison.Ordinal) && !prefix.StartsWith(folder, StringComparison.Ordinal))
            return false;
        // Keys below sort after the folder's prefix; they are all at or before StartAfter only when
        // the folder sorts before StartAfter without being a prefix of it.
        return startAfter is null || Utf8Order.Compare(folder, startAfter) > 0 || startAfter.StartsWith(folder, StringComparison.Ordinal);
    }

    private bool IsAfterStart(string name) => startAfter is null || Utf8Order.Compare(name, startAfter) > 0;

    /// <summary>Every file, hidden ones (folder markers) included; folders we may not read hold nothing we can list.</summary>
    public static readonly EnumerationOptions AllFiles = new() { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };

    public static bool IsLink(FileAttributes attributes) => (attributes & FileAttributes.ReparsePoint) != 0;

    /// <summary>
    /// Whether the folder at <paramref name="relative"/> holds a key to list: a file, or a link a
    /// read would follow to one (links to folders are not walked here). With
    /// <paramref name="anyLink"/>, any link counts (a bucket holding one is not empty: the link is
    /// the operator's, not the store's to delete).
    /// </summary>
    public static bool HoldsAnyFile(ConfinedFolder root, string relative, bool anyLink = false)
    {
        using var folder = root.TryOpenFolder(relative);
        if (folder is null) return false;
        var top = root.EnumerationPath(folder, relative);
        var entries = new FileSystemEnumerable<(string Path, bool Link)>(top, (ref FileSystemEntry e) => (e.ToFullPath(), IsLink(e.Attributes)), AllFiles)
        {
            ShouldRecursePredicate = (ref FileSystemEntry e) => !IsLink(e.Attributes),
            ShouldIncludePredicate = (ref FileSystemEntry e) => !e.IsDirectory || IsLink(e.Attributes),
        };
        try
        {
            return entries.Any(e => !e.Link || anyLink
                || root.VersionOf(Join(relative, Path.GetRelativePath(top, e.Path).Replace(Path.DirectorySeparatorChar, '/'))) is not null);
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }
    }
}
