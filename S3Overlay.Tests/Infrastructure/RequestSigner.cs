using System.Globalization;
using System.Security.Cryptography;
using S3Overlay.Signing;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// Signs raw HttpClient requests with SigV4 (Authorization header), as an SDK would, so tests
/// that speak HTTP directly pass the proxy's authentication. Uses the server's canonicalisation
/// pieces; the known-answer tests in Auth/ pin those to AWS's published examples.
/// </summary>
public static class RequestSigner
{
    public static async Task SignAsync(HttpRequestMessage request, string accessKey = ProxyServer.AccessKey, string secretKey = ProxyServer.SecretKey,
        string region = "us-east-1", DateTimeOffset? now = null, string? payloadHash = null)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("The request needs an absolute URI.");
        var time = (now ?? DateTimeOffset.UtcNow).ToUniversalTime();
        var timestamp = time.ToString(SigV4.TimestampFormat, CultureInfo.InvariantCulture);
        request.Headers.Remove("x-amz-date");
        request.Headers.Remove("x-amz-content-sha256");
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("x-amz-date", timestamp);
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", payloadHash ?? await PayloadHashAsync(request.Content));

        var headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            .Select(h => (h.Key, string.Join(',', h.Value)))
            .Append(("host", request.Headers.Host ?? (uri.IsDefaultPort ? uri.Host : uri.Authority)));
        request.Headers.TryAddWithoutValidation("Authorization",
            Authorization(request.Method.Method, uri.PathAndQuery, headers, request.Headers.GetValues("x-amz-content-sha256").First(), timestamp, accessKey, secretKey, region));
    }

    /// <summary>
    /// The SigV4 Authorization header for a request target exactly as it goes on the wire (raw
    /// tests send it uncanonicalised); <paramref name="headers"/> must include host, x-amz-date,
    /// every x-amz-* header sent and Content-Type, which are all signed (S3 requires host and x-amz-*; SDKs sign Content-Type too).
    /// </summary>
    public static string Authorization(string method, string target, IEnumerable<(string Name, string Value)> headers, string payloadHash, string timestamp,
        string accessKey = ProxyServer.AccessKey, string secretKey = ProxyServer.SecretKey, string region = "us-east-1")
    {
        var date = timestamp[..8];
        var signed = headers
            // What S3 requires signed, and Content-Type, as SDKs sign it.
            .Where(h => h.Name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase) || h.Name.Equals("host", StringComparison.OrdinalIgnoreCase)
                || h.Name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            .Select(h => (Name: h.Name.ToLowerInvariant(), h.Value))
            .OrderBy(h => h.Name, StringComparer.Ordinal)
            .ToArray();
        var signedHeaders = string.Join(';', signed.Select(h => h.Name));
        var scope = $"{date}/{region}/s3/aws4_request";
        var question = target.IndexOf('?');
        var path = question < 0 ? target : target[..question];
        var query = question < 0 ? "" : target[(question + 1)..];
        var canonical = SigV4.CanonicalRequest(method, path, SigV4.CanonicalQuery(query), signed, signedHeaders, payloadHash);
        var signature = Convert.ToHexStringLower(SigV4.Hmac(SigV4.DeriveSigningKey(secretKey, date, region, "s3"), SigV4.StringToSign(timestamp, scope, canonical)));
        return $"{SigV4.Algorithm} Credential={accessKey}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
    }

    /// <summary>Unless told (<c>STREAMING-…</c>), buffered content is hashed; a stream is sent as UNSIGNED-PAYLOAD rather than read twice.</summary>
    private static async Task<string> PayloadHashAsync(HttpContent? content) => content switch
    {
        null => SigV4.EmptyPayloadSha256,
        StreamContent => SigV4.UnsignedPayload,
        _ => Convert.ToHexStringLower(SHA256.HashData(await content.ReadAsByteArrayAsync())),
    };
}

/// <summary>An HttpClient handler that signs every request it sends.</summary>
public sealed class SigningHandler(string accessKey = ProxyServer.AccessKey, string secretKey = ProxyServer.SecretKey, HttpMessageHandler? inner = null)
    : DelegatingHandler(inner ?? new HttpClientHandler())
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await RequestSigner.SignAsync(request, accessKey, secretKey);
        return await base.SendAsync(request, cancellationToken);
    }
}
