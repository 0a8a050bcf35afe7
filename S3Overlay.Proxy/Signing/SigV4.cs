using System.Security.Cryptography;
using System.Text;

namespace S3Overlay.Signing;

/// <summary>
/// The pieces of AWS Signature Version 4: the canonical request, the string to sign, the derived
/// signing key. A pure algorithm, so it sits apart from both its users: the S3 front end, which
/// verifies and presigns (S3/Auth), and the S3 store, which signs its own reads (Storage/S3).
/// </summary>
internal static class SigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";
    public const string EmptyPayloadSha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    public const string TimestampFormat = "yyyyMMdd'T'HHmmss'Z'";

    public static byte[] DeriveSigningKey(string secretKey, string date, string region, string service)
    {
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        return Hmac(key, "aws4_request");
    }

    /// <summary>A one-shot HMAC, for deriving signing keys (each step a new key); a signing key's HMACs take <see cref="HmacHex"/>.</summary>
    public static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    /// <summary>HMAC-SHA256 under a signing key from <see cref="SigningKeyCache"/>, lower-case hex (<see cref="SignatureHashes"/>).</summary>
    public static string HmacHex(byte[] signingKey, string data)
    {
        Span<byte> mac = stackalloc byte[32];
        SignatureHashes.HmacSha256(signingKey, data, mac);
        return Convert.ToHexStringLower(mac);
    }

    public static string Sha256Hex(string data)
    {
        Span<byte> hash = stackalloc byte[32];
        SignatureHashes.Sha256(data, hash);
        return Convert.ToHexStringLower(hash);
    }

    public static string StringToSign(string timestamp, string scope, string canonicalRequest) =>
        $"{Algorithm}\n{timestamp}\n{scope}\n{Sha256Hex(canonicalRequest)}";

    /// <summary>The signature of a canonical request, lower-case hex (what a signer sends; the verifier compares bytes instead).</summary>
    public static string Signature(byte[] signingKey, string timestamp, string scope, string canonicalRequest) =>
        HmacHex(signingKey, StringToSign(timestamp, scope, canonicalRequest));

    public static string CanonicalRequest(string method, string canonicalUri, string canonicalQuery,
        IEnumerable<(string Name, string Value)> headers, string signedHeaders, string payloadHash)
    {
        var sb = new StringBuilder();
        sb.Append(method).Append('\n').Append(canonicalUri).Append('\n').Append(canonicalQuery).Append('\n');
        foreach (var (name, value) in headers) sb.Append(name).Append(':').Append(CanonicalHeaderValue(value)).Append('\n');
        sb.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);
        return sb.ToString();
    }

    /// <summary>
    /// The canonical query string from the raw query: each name and value percent-decoded, then
    /// encoded the AWS way, sorted by name then value. '+' stays a plus (SDKs send spaces as %20).
    /// </summary>
    public static string CanonicalQuery(string? rawQuery, string? exclude = null)
    {
        if (string.IsNullOrEmpty(rawQuery)) return "";
        // Spans, not Split and substrings: this runs on every signed request (a presigned GET has seven parameters).
        var query = rawQuery.AsSpan().TrimStart('?');
        if (CanonicalAsSent(query, exclude) is { } asSent) return asSent;
        var pairs = new List<(string Name, string Value)>();
        foreach (var range in query.Split('&'))
        {
            var part = query[range];
            if (part.IsEmpty) continue;
            var eq = part.IndexOf('=');
            var name = Uri.UnescapeDataString(eq < 0 ? part : part[..eq]);
            if (exclude is not null && name == exclude) continue;
            var value = eq < 0 ? "" : Uri.UnescapeDataString(part[(eq + 1)..]);
            pairs.Add((UriEncode(name), UriEncode(value)));
        }
        pairs.Sort(static (a, b) => a.Name == b.Name ? string.CompareOrdinal(a.Value, b.Value) : string.CompareOrdinal(a.Name, b.Name));
        var canonical = new StringBuilder(rawQuery.Length);
        foreach (var (name, value) in pairs)
        {
            if (canonical.Length > 0) canonical.Append('&');
            canonical.Append(name).Append('=').Append(value);
        }
        return canonical.ToString();
    }

    /// <summary>
    /// The canonical query when every name and value was sent encoded the AWS way, as SDKs send
    /// presigned URLs: the pairs as sent, sorted (boto3 sends X-Amz-SignedHeaders before
    /// X-Amz-Expires). Null otherwise (then decoded, encoded and sorted). Spares a presigned GET a
    /// dozen decodings and encodings, and a list.
    /// </summary>
    internal static string? CanonicalAsSent(ReadOnlySpan<char> query, string? exclude)
    {
        Span<Range> pairs = stackalloc Range[MostPairsAsSent];
        var (count, length, sorted) = (0, 0, true);
        foreach (var range in query.Split('&'))
        {
            var part = query[range];
            var eq = part.IndexOf('=');
            if (eq <= 0) return null; // empty, or a name without '=' (canonically "name="): the general way
            // Sent as it is, the excluded name decodes to itself; encoded the AWS way, no other name does.
            if (exclude is not null && part[..eq].SequenceEqual(exclude)) continue;
            if (!EncodedTheAwsWay(part[..eq]) || !EncodedTheAwsWay(part[(eq + 1)..]) || count == pairs.Length) return null;
            if (count > 0 && ComparePairs(query[pairs[count - 1]], part) > 0) sorted = false;
            pairs[count++] = range;
            length += part.Length + 1;
        }
        if (!sorted)
        {
            // Insertion: a handful of pairs, most of them in order already.
            for (var i = 1; i < count; i++)
            {
                var pair = pairs[i];
                var j = i;
                for (; j > 0 && ComparePairs(query[pairs[j - 1]], query[pair]) > 0; j--) pairs[j] = pairs[j - 1];
                pairs[j] = pair;
            }
        }
        var canonical = new StringBuilder(length);
        foreach (var pair in pairs[..count])
        {
            if (canonical.Length > 0) canonical.Append('&');
            canonical.Append(query[pair]);
        }
        return canonical.ToString();
    }

    /// <summary>More pairs than a presigned URL carries (it has seven) go the general way.</summary>
    private const int MostPairsAsSent = 32;

    /// <summary>SigV4's order of two encoded "name=value" pairs: by name, then by value.</summary>
    private static int ComparePairs(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        var (ea, eb) = (a.IndexOf('='), b.IndexOf('='));
        var byName = a[..ea].CompareTo(b[..eb], StringComparison.Ordinal);
        return byName != 0 ? byName : a[(ea + 1)..].CompareTo(b[(eb + 1)..], StringComparison.Ordinal);
    }

    /// <summary>
    /// Whether decoding and encoding the AWS way gives <paramref name="text"/> back: unreserved
    /// characters, and upper-case escapes of ASCII characters that are not. (An escape of a byte
    /// over 127 may be a broken UTF-8 sequence, which decoding keeps as it is: the general way.)
    /// </summary>
    private static bool EncodedTheAwsWay(ReadOnlySpan<char> text)
    {
        for (int at; (at = text.IndexOfAnyExcept(Unreserved)) >= 0; text = text[(at + 3)..])
        {
            if (text[at] != '%' || at + 2 >= text.Length || !IsUpperHex(text[at + 1]) || !IsUpperHex(text[at + 2])) return false;
            var escaped = (char)(HexValue(text[at + 1]) * 16 + HexValue(text[at + 2]));
            if (escaped > 127 || Unreserved.Contains(escaped)) return false;
        }
        return true;
    }

    private static bool IsUpperHex(char c) => char.IsAsciiDigit(c) || c is >= 'A' and <= 'F';

    private static int HexValue(char upperHex) => upperHex <= '9' ? upperHex - '0' : upperHex - 'A' + 10;

    private static readonly System.Buffers.SearchValues<char> Unreserved =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~");
    private static readonly System.Buffers.SearchValues<char> UnreservedOrSlash =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~/");

    /// <summary>AWS's URI encoding: every byte but A-Z a-z 0-9 - _ . ~ (and '/' in paths) as %XX upper-case.</summary>
    public static string UriEncode(string value, bool keepSlash = false)
    {
        // Most names and values (dates, hex signatures, plain keys) need no encoding: no copy then.
        if (!value.AsSpan().ContainsAnyExcept(keepSlash ? UnreservedOrSlash : Unreserved)) return value;
        var sb = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' || (keepSlash && c == '/')) sb.Append(c);
            else sb.Append('%').Append(b.ToString("X2"));
        }
        return sb.ToString();
    }

    /// <summary>A header value as signed: trimmed, runs of spaces collapsed to one.</summary>
    public static string CanonicalHeaderValue(string value)
    {
        value = value.Trim();
        if (!value.Contains("  ")) return value;
        var sb = new StringBuilder(value.Length);
        foreach (var c in value)
            if (c != ' ' || sb.Length == 0 || sb[^1] != ' ') sb.Append(c);
        return sb.ToString();
    }
}
