using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Errors;

namespace S3Overlay.S3.Http;

/// <summary>
/// The query parameters ListObjects V1 and V2 share: prefix, delimiter, max-keys and
/// encoding-type, checked as S3 checks them.
/// </summary>
internal sealed record ListingQuery(string Prefix, string? Delimiter, int MaxKeys, bool UrlEncoded)
{
    /// <summary>S3 answers at most 1,000 keys a page, whatever max-keys asks for.</summary>
    public const int MaxPageSize = 1000;

    public static ListingQuery Read(IQueryCollection query)
    {
        var maxKeys = MaxPageSize;
        if (Value(query, "max-keys") is { } text)
        {
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var asked)) maxKeys = Math.Min(asked, MaxPageSize);
            else if (!IsHugeNumber(text)) throw InvalidArgument("max-keys", text, "Provided max-keys not an integer or within integer range");
        }
        var encoding = Value(query, "encoding-type");
        if (encoding is not null && encoding != "url")
            throw InvalidArgument("encoding-type", encoding, "Invalid Encoding Method specified in Request");
        return new ListingQuery(Value(query, "prefix") ?? "", NullIfEmpty(Value(query, "delimiter")), maxKeys, encoding is not null);
    }

    /// <summary>A value as the answer shows it: URL-encoded when the client asked for encoding-type=url.</summary>
    public string Show(string value) => UrlEncoded ? S3UrlEncoding.Encode(value) : value;

    /// <summary>The query value, or null when the parameter is absent.</summary>
    public static string? Value(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var v) ? v.ToString() : null;

    /// <summary>
    /// The opaque NextContinuationToken of ListObjectsV2: the entry the next page resumes after,
    /// base64url-encoded (clients must not read meaning into it, and S3's are opaque too).
    /// </summary>
    public static string EncodeToken(string resumeAfter) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(resumeAfter));

    public static string DecodeToken(string token)
    {
        try
        {
            if (token.Length > 0)
                return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
        }
        catch (DecoderFallbackException)
        {
        }
        throw InvalidArgument("continuation-token", token, "The continuation token provided is incorrect");
    }

    // A digit string too big for an int is still a number: S3 caps it at 1,000 like any large value.
    private static bool IsHugeNumber(string text) => text.Length > 0 && text.All(char.IsAsciiDigit);

    private static S3Exception InvalidArgument(string name, string value, string message) =>
        new S3Exception(S3Error.InvalidArgument.WithMessage(message)).With("ArgumentName", name).With("ArgumentValue", value);

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
