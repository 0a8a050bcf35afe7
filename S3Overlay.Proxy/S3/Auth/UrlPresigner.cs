using System.Globalization;
using S3Overlay.Configuration;
using S3Overlay.Signing;

namespace S3Overlay.S3.Auth;

/// <summary>
/// Makes SigV4 presigned URLs on the server's side, for a configured user (the web browser hands
/// them to the page so the browser's own downloads, ranges and uploads go straight to the S3 API).
/// </summary>
internal sealed class UrlPresigner(AuthSettings settings, ServerSettings server, SigningKeyCache keys, TimeProvider clock)
{
    /// <param name="host">The Host header the client will send (signed).</param>
    /// <param name="extraQuery">Further query parameters to sign in (<c>response-content-disposition</c>, ...).</param>
    /// <returns>The request target, path-style and percent-encoded: <c>/bucket/key?X-Amz-…</c>.</returns>
    public string Presign(string method, string host, string accessKey, string bucket, string? key, TimeSpan expires,
        IEnumerable<KeyValuePair<string, string>>? extraQuery = null)
    {
        if (!settings.Users.TryGetSecret(accessKey, out var secret))
            throw new ArgumentException($"'{accessKey}' is not a configured user.", nameof(accessKey));
        var timestamp = clock.GetUtcNow().ToString(SigV4.TimestampFormat, CultureInfo.InvariantCulture);
        var date = timestamp[..8];
        var scope = $"{date}/{server.Region}/s3/aws4_request";
        // Every byte of the key but unreserved ones is encoded, '/' too: a browser then sends the
        // path untouched (no "." or ".." segments to resolve), and the server decodes it back.
        var path = "/" + bucket + (key is null ? "" : "/" + SigV4.UriEncode(key));

        var query = new List<KeyValuePair<string, string>>
        {
            new("X-Amz-Algorithm", SigV4.Algorithm),
            new("X-Amz-Credential", $"{accessKey}/{scope}"),
            new("X-Amz-Date", timestamp),
            new("X-Amz-Expires", ((long)expires.TotalSeconds).ToString(CultureInfo.InvariantCulture)),
            new("X-Amz-SignedHeaders", "host"),
        };
        if (extraQuery is not null) query.AddRange(extraQuery);
        var rawQuery = string.Join('&', query.Select(p => SigV4.UriEncode(p.Key) + "=" + SigV4.UriEncode(p.Value)));

        var canonical = SigV4.CanonicalRequest(method, path, SigV4.CanonicalQuery(rawQuery), [("host", host)], "host", SigV4.UnsignedPayload);
        var signingKey = keys.Get(accessKey, secret, date, server.Region, "s3");
        var signature = SigV4.Signature(signingKey, timestamp, scope, canonical);
        return $"{path}?{rawQuery}&X-Amz-Signature={signature}";
    }
}
