using System.Text;

namespace S3Overlay.S3.Http;

/// <summary>
/// The URL encoding of <c>encoding-type=url</c> answers, as S3 (and MinIO) write it: UTF-8 bytes
/// percent-encoded, except letters, digits and <c>-_.*/</c>; a space becomes <c>+</c>. Clients
/// decode it as form encoding (botocore's unquote_plus).
/// </summary>
public static class S3UrlEncoding
{
    public static string Encode(string value)
    {
        if (value.All(IsKept)) return value;
        var text = new StringBuilder(value.Length + 16);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (b < 0x80 && IsKept(c)) text.Append(c);
            else if (c == ' ') text.Append('+');
            else text.Append('%').Append(b.ToString("X2"));
        }
        return text.ToString();
    }

    private static bool IsKept(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '*' or '/';
}
