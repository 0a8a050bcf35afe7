using System.Globalization;
using System.Security.Cryptography;
using S3Overlay.S3.Auth;

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
        var date = timestamp[..8];

        request.Headers.Remove("x-amz-date");
        request.Headers.Remove("x-amz-content-sha256");
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("x-amz-date", timestamp);
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", payloadHash ?? await PayloadHashAsync(request.Content));

        var headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            // What S3 requires signed besides host (SDKs sign every header they send).
            .Where(h => h.Key.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase) || h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            .Select(h => (Name: h.Key.ToLowerInvariant(), Value: string.Join(',', h.Value)))
            .Append(("host", request.Headers.Host ?? (uri.IsDefaultPort ? uri.Host : uri.Authority)))
            .OrderBy(h => h.Item1, StringComparer.Ordinal)
            .ToArray();
        var signedHeaders = string.Join(';', headers.Select(h => h.Item1));
        var scope = $"{date}/{region}/s3/aws4_request";
        // Sign the target exactly as it goes on the wire (raw tests send it uncanonicalised).
        var target = uri.PathAndQuery;
        var question = target.IndexOf('?');
        var path = question < 0 ? target : target[..question];
        var query = question < 0 ? "" : target[(question + 1)..];
        var canonical = SigV4.CanonicalRequest(request.Method.Method, path, SigV4.CanonicalQuery(query),
            headers, signedHeaders, request.Headers.GetValues("x-amz-content-sha256").First());
        var signature = Convert.ToHexStringLower(SigV4.Hmac(SigV4.DeriveSigningKey(secretKey, date, region, "s3"), SigV4.StringToSign(timestamp, scope, canonical)));
        request.Headers.TryAddWithoutValidation("Authorization",
            $"{SigV4.Algorithm} Credential={accessKey}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
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
public sealed class SigningHandler(string accessKey = ProxyServer.AccessKey, string secretKey = ProxyServer.SecretKey)
    : DelegatingHandler(new HttpClientHandler())
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await RequestSigner.SignAsync(request, accessKey, secretKey);
        return await base.SendAsync(request, cancellationToken);
    }
}
