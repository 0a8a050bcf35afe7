using Amazon.Runtime;

namespace S3Overlay.Storage.S3;

/// <summary>
/// The HTTP client under the SDK, set up so that uploads stream: one pass over the body, no
/// hashing ahead, no aws-chunked framing.
/// </summary>
/// <remarks>
/// Over plain http the SDK signs the payload, so a body must either be read twice (hashed, then
/// sent; impossible for a request body we are relaying) or be sent aws-chunked, which s3rver
/// and other third-party servers store verbatim. It sends <c>UNSIGNED-PAYLOAD</c> only over https.
/// So an http endpoint is given to the SDK as https on the same port and this handler puts the
/// scheme back: the signature covers host, path and headers, never the scheme.
/// </remarks>
internal sealed class StreamingHttpClientFactory(Uri? endpoint, TimeSpan connectTimeout) : HttpClientFactory
{
    private readonly bool _plainHttp = endpoint?.Scheme == Uri.UriSchemeHttp;
    private HttpClient? _client;

    /// <summary>The URL the SDK is configured with: https with the port written out, for an http endpoint.</summary>
    public static string SignableUrl(Uri endpoint) => endpoint.Scheme == Uri.UriSchemeHttp
        ? new UriBuilder(endpoint) { Scheme = Uri.UriSchemeHttps, Port = endpoint.Port }.Uri.ToString().TrimEnd('/')
        : endpoint.ToString().TrimEnd('/');

    // One client (one connection pool) per store; the SDK's own cache is keyed by config strings
    // and would hand one store's handler to another.
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => Client;

    /// <summary>The store's one client, which its direct reads (<see cref="DirectReads"/>) share with the SDK.</summary>
    public HttpClient Client => LazyInitializer.EnsureInitialized(ref _client, Build);

    private HttpClient Build() =>
        new(new RequestTargetHandler(new PlainListingHandler(new PlainHttpHandler(_plainHttp, new BodyWithoutAskingHandler(new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            UseCookies = false,
            ConnectCallback = QuickAckConnection.Callback,
        })))))
        {
            // Bodies stream for as long as they need; the store bounds waiting for headers itself.
            Timeout = Timeout.InfiniteTimeSpan,
        };

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    /// <summary>
    /// Sends a body without <c>Expect: 100-continue</c> (the SDK asks it on PUT and UploadPart).
    /// Ceph RGW answers such a request that fails early (NoSuchBucket, a 412) without reading the
    /// body or closing the connection; a body that follows anyway (the client waits 1 s for a
    /// 100, less than a loaded server may take) is then read as the next request's start, which
    /// fails 400 or 405. Without the header a server reads a refused body before the next request.
    /// </summary>
    private sealed class BodyWithoutAskingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            request.Headers.ExpectContinue = false;
            return base.SendAsync(request, ct);
        }
    }

    private sealed class PlainHttpHandler(bool plainHttp, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            if (plainHttp && request.RequestUri is { Scheme: "https" } uri)
            {
                // The Host the SDK signed is the https authority (port written unless 443).
                request.Headers.Host ??= uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
                request.RequestUri = new UriBuilder(uri) { Scheme = Uri.UriSchemeHttp, Port = uri.Port }.Uri;
            }
            return base.SendAsync(request, ct);
        }
    }
}
