using System.Buffers;
using System.Globalization;
using System.Net;
using S3Overlay.Signing;

namespace S3Overlay.Storage.S3;

/// <summary>
/// GET and HEAD of an object straight over HttpClient, signed with the project's own SigV4: the
/// path a cold fill takes for every object. The SDK's pipeline (marshalling, endpoint rules,
/// handlers, unmarshalling) sat on every fill's first byte and CPU, and was much of what the JIT
/// compiled on a fresh proxy (measured with the bench's cold sweep, 23 Nov). Everything else
/// still goes through the SDK.
/// </summary>
/// <remarks>
/// Shares the SDK's HTTP client (one connection pool per store). Answers are what the SDK
/// would have made of them: errors become <see cref="RemoteAnswerException"/>, which
/// <see cref="S3ErrorTranslation"/> reads as it reads the SDK's, and a failed request is tried
/// once more as the SDK's (MaxErrorRetry = 1) is, but for a refused connection (<see cref="RefusedConnection"/>).
/// </remarks>
internal sealed class DirectReads(S3StoreOptions options, HttpClient http)
{
    private const string UserAgent = "s3-overlay";
    private readonly SigningKeyCache _keys = new();
    private readonly Uri _endpoint = options.Endpoint ?? new Uri($"https://s3.{options.Region}.amazonaws.com");

    /// <summary>Sends a GET (or HEAD) of the object; the answer's headers are in, its body not yet read.</summary>
    /// <returns>A 200 or 206 answer; anything else is thrown as a <see cref="RemoteAnswerException"/> (or the network's failure).</returns>
    /// <param name="versionId">One version of the object (a store that keeps versions); null for its current one.</param>
    /// <param name="ifNoneMatch">An ETag the server answers 304 for (<see cref="ObjectReadRequest.NotModifiedIfETag"/>).</param>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string bucket, string key, string? range, CancellationToken ct, string? versionId = null, string? ifNoneMatch = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            HttpResponseMessage response;
            try
            {
                // Signed with the real time, as the SDK signs: a store's clock may be a test's.
                response = await http.SendAsync(Sign(method, bucket, key, range, DateTimeOffset.UtcNow, versionId, ifNoneMatch), HttpCompletionOption.ResponseHeadersRead, ct);
            }
            catch (HttpRequestException e) when (attempt == 1 && !ct.IsCancellationRequested && !RefusedConnection.In(e))
            {
                continue;
            }
            if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.PartialContent) return response;
            using (response)
            {
                if (attempt > 1 || (int)response.StatusCode is not (500 or 502 or 503 or 504))
                    throw await RemoteAnswerException.ReadAsync(response, ct);
            }
            await Task.Delay(Random.Shared.Next(20, 100), ct); // a server in trouble gets a moment
        }
    }

    internal HttpRequestMessage Sign(HttpMethod method, string bucket, string key, string? range, DateTimeOffset now, string? versionId = null, string? ifNoneMatch = null)
    {
        // Virtual-hosted unless asked otherwise, as the SDK addresses; path-style for a bucket
        // name that cannot be a host label under TLS (dots), as the SDK falls back too.
        var virtualHost = !options.PathStyle && !(bucket.Contains('.') && _endpoint.Scheme == Uri.UriSchemeHttps);
        var path = (virtualHost ? "/" : "/" + bucket + "/") + SigV4.UriEncode(key, keepSlash: true);
        var host = virtualHost ? bucket + "." + _endpoint.Authority : _endpoint.Authority;
        // Sent as written: Uri would resolve "." and ".." segments, a different key (the SDK does).
        var query = versionId is null ? "" : "versionId=" + SigV4.UriEncode(versionId, keepSlash: false);
        var uri = new Uri($"{_endpoint.Scheme}://{host}{path}{(query.Length > 0 ? "?" + query : "")}", new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        var request = new HttpRequestMessage(method, uri) { Version = HttpVersion.Version11 };
        request.Headers.Host = host;
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        if (range is not null) request.Headers.TryAddWithoutValidation("Range", range);
        if (ifNoneMatch is not null) request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        // The object's checksums with the whole of it: a full-object CRC checks the body for a
        // tenth of its MD5's cost (RemoteBody). A range's answer has none to give.
        var checksumMode = range is null ? "ENABLED" : null;
        if (options is not { AccessKey: { } accessKey, SecretKey: { } secret })
        {
            if (checksumMode is not null) request.Headers.TryAddWithoutValidation("x-amz-checksum-mode", checksumMode);
            return request; // anonymous: unsigned
        }

        var timestamp = now.ToString(SigV4.TimestampFormat, CultureInfo.InvariantCulture);
        var date = timestamp[..8];
        // The headers signed, in the canonical (sorted) order.
        var signed = new List<(string Name, string Value)>(6) { ("host", host) };
        if (ifNoneMatch is not null) signed.Add(("if-none-match", ifNoneMatch));
        if (range is not null) signed.Add(("range", range));
        if (checksumMode is not null) signed.Add(("x-amz-checksum-mode", checksumMode));
        signed.Add(("x-amz-content-sha256", SigV4.EmptyPayloadSha256));
        signed.Add(("x-amz-date", timestamp));
        if (options.SessionToken is { } token) signed.Add(("x-amz-security-token", token));
        if (options.SignedHeader is { } extra)
        {
            signed.Add(extra);
            signed.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        }
        foreach (var (name, value) in signed)
            if (name.StartsWith("x-amz-", StringComparison.Ordinal)) request.Headers.TryAddWithoutValidation(name, value);

        var names = string.Join(';', signed.Select(h => h.Name));
        var scope = $"{date}/{options.Region}/s3/aws4_request";
        var canonical = SigV4.CanonicalRequest(method.Method, path, query, signed, names, SigV4.EmptyPayloadSha256);
        var signingKey = _keys.Get(accessKey, secret, date, options.Region, "s3");
        var signature = SigV4.Signature(signingKey, timestamp, scope, canonical);
        request.Headers.TryAddWithoutValidation("Authorization", $"{SigV4.Algorithm} Credential={accessKey}/{scope}, SignedHeaders={names}, Signature={signature}");
        return request;
    }
}

/// <summary>A server's answer other than 200/206 to a direct read: its status and, when it sent one, its S3 error.</summary>
internal sealed class RemoteAnswerException(HttpStatusCode status, string? code, string? message, long? actualObjectSize)
    : Exception(message ?? $"{(int)status} {code}")
{
    // An error document is a few hundred bytes; a server that sends more is not read further.
    private const int MaxErrorBody = 64 * 1024;

    public HttpStatusCode Status => status;
    public string? Code => code;
    public string? ServerMessage => message;
    public long? ActualObjectSize => actualObjectSize;

    public static async Task<RemoteAnswerException> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            // Pooled: a remote miss is a 404 with a body, and the overlay asks for many keys the remote lacks.
            var buffer = ArrayPool<byte>.Shared.Rent(MaxErrorBody);
            try
            {
                var length = 0;
                int read;
                while (length < MaxErrorBody && (read = await body.ReadAsync(buffer.AsMemory(length, MaxErrorBody - length), ct)) > 0) length += read;
                if (length > 0 && length < MaxErrorBody)
                {
                    if (ErrorDocument.Read(new MemoryStream(buffer, 0, length), length) is { } error)
                        return new RemoteAnswerException(response.StatusCode, error.Code, error.Message, error.ActualObjectSize);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            // An answer without a readable error document says only its status.
        }
        return new RemoteAnswerException(response.StatusCode, null, null, null);
    }
}
