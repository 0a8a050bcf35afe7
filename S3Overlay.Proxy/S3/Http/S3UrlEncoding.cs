using System.Text;

namespace S3Overlay.S3.Http;

/// <summary>
/// The URL encoding of <c>encoding-type=url</c> answers: UTF-8 bytes percent-encoded, except
/// letters, digits and <c>-_.*/</c>. A space is <c>%20</c>, as the S3 test suite (s3-tests'
/// test_bucket_list_encoding_basic) expects, and as every decoder reads back: a <c>+</c> would turn
/// into a plus sign for clients that percent-decode without form rules.
/// </summary>
internal static class S3UrlEncoding
{
    public static string Encode(string value)
    {
        if (value.All(IsKept)) return value;
        var text = new StringBuilder(value.Length + 16);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (b < 0x80 && IsKept(c)) text.Append(c);
            else text.Append('%').Append(b.ToString("X2"));
        }
        return text.ToString();
    }

    private static bool IsKept(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '*' or '/';
}
