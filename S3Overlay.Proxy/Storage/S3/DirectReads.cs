using System.Buffers;
using System.Globalization;
using System.Net;
using S3Overlay.Signing;

namespace S3Overlay.Storage.S3;

/// <summary>
/// GET and HEAD of an object, and ListObjectsV2, straight over HttpClient, signed with the
/// project's own SigV4: the path a cold fill takes for every object, and a merged listing for every
/// page. The SDK's pipeline (marshalling, endpoint rules, handlers, unmarshalling) sat on every
/// fill's first byte and CPU, and was much of what the JIT compiled on a fresh proxy (measured with
/// the bench's cold sweep, 23 Nov); its reading of a 1,000-key page was 42 % of an overlay's CPU on
/// a merged listing (perf, 28 Nov). Everything else still goes through the SDK.
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
    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string bucket, string key, string? range, CancellationToken ct, string? versionId = null, string? ifNoneMatch = null) =>
        SendAsync(() => Sign(method, bucket, key, range, DateTimeOffset.UtcNow, versionId, ifNoneMatch), HttpCompletionOption.ResponseHeadersRead, ct);

    /// <summary>One ListObjectsV2 page, its names percent-encoded on the wire (any key can be listed) and decoded here.</summary>
    public async Task<ListingDocument> ListObjectsAsync(string bucket, string prefix, string? delimiter, string? startAfter, int maxKeys, CancellationToken ct)
    {
        // In the canonical order (sorted by name), as they are signed.
        var query = new List<(string Name, string Value)>(6);
        if (!string.IsNullOrEmpty(delimiter)) query.Add(("delimiter", delimiter));
        query.Add(("encoding-type", "url"));
        query.Add(("list-type", "2"));
        query.Add(("max-keys", maxKeys.ToString(CultureInfo.InvariantCulture)));
        if (prefix.Length > 0) query.Add(("prefix", prefix));
        if (!string.IsNullOrEmpty(startAfter)) query.Add(("start-after", startAfter));
        // The whole answer read before it is parsed: a page is at most a few hundred KiB.
        using var response = await SendAsync(() => Sign(HttpMethod.Get, bucket, "", query, [], DateTimeOffset.UtcNow), HttpCompletionOption.ResponseContentRead, ct);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        return ListingDocument.Read(body);
    }

    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> sign, HttpCompletionOption completion, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            HttpResponseMessage response;
            try
            {
                // Signed with the real time, as the SDK signs: a store's clock may be a test's.
                response = await http.SendAsync(sign(), completion, ct);
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
        var headers = new List<(string Name, string Value)>(3);
        if (ifNoneMatch is not null) headers.Add(("if-none-match", ifNoneMatch));
        if (range is not null) headers.Add(("range", range));
        // The object's checksums with the whole of it: a full-object CRC checks the body for a
        // tenth of its MD5's cost (RemoteBody). A range's answer has none to give.
        else headers.Add(("x-amz-checksum-mode", "ENABLED"));
        return Sign(method, bucket, key, versionId is null ? [] : [("versionId", versionId)], headers, now);
    }

    /// <param name="query">The query's parameters, sorted by name (the canonical order), not yet encoded.</param>
    /// <param name="headers">Headers sent and signed, named in lower case, sorted by name; none of the x-amz- ones signing adds.</param>
    internal HttpRequestMessage Sign(HttpMethod method, string bucket, string key, IReadOnlyList<(string Name, string Value)> query, List<(string Name, string Value)> headers, DateTimeOffset now)
    {
        // Virtual-hosted unless asked otherwise, as the SDK addresses; path-style for a bucket
        // name that cannot be a host label under TLS (dots), as the SDK falls back too.
        var virtualHost = !options.PathStyle && !(bucket.Contains('.') && _endpoint.Scheme == Uri.UriSchemeHttps);
        var path = (virtualHost ? "/" : "/" + bucket + "/") + SigV4.UriEncode(key, keepSlash: true);
        var host = virtualHost ? bucket + "." + _endpoint.Authority : _endpoint.Authority;
        var canonicalQuery = string.Join('&', query.Select(p => SigV4.UriEncode(p.Name, keepSlash: false) + "=" + SigV4.UriEncode(p.Value, keepSlash: false)));
        // Sent as written: Uri would resolve "." and ".." segments, a different key (the SDK does).
        var uri = new Uri($"{_endpoint.Scheme}://{host}{path}{(canonicalQuery.Length > 0 ? "?" + canonicalQuery : "")}", new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        var request = new HttpRequestMessage(method, uri) { Version = HttpVersion.Version11 };
        request.Headers.Host = host;
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        if (options is not { AccessKey: { } accessKey, SecretKey: { } secret }) return request; // anonymous: unsigned

        var timestamp = now.ToString(SigV4.TimestampFormat, CultureInfo.InvariantCulture);
        var date = timestamp[..8];
        // The headers signed: the caller's, and those signing adds (sent as they are added); then the canonical (sorted) order.
        var signing = new List<(string Name, string Value)>(headers.Count + 5) { ("host", host) };
        signing.AddRange(headers);
        void Add(string name, string value)
        {
            signing.Add((name, value));
            request.Headers.TryAddWithoutValidation(name, value);
        }
        Add("x-amz-content-sha256", SigV4.EmptyPayloadSha256);
        Add("x-amz-date", timestamp);
        if (options.SessionToken is { } token) Add("x-amz-security-token", token);
        if (options.SignedHeader is { } extra) Add(extra.Name, extra.Value);
        signing.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));

        var names = string.Join(';', signing.Select(h => h.Name));
        var scope = $"{date}/{options.Region}/s3/aws4_request";
        var canonical = SigV4.CanonicalRequest(method.Method, path, canonicalQuery, signing, names, SigV4.EmptyPayloadSha256);
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
