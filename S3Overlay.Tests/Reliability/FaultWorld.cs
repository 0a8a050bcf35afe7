using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Reliability;

/// <summary>What one read through the proxy came to: the right bytes, a clean error, or (never acceptable) wrong bytes.</summary>
public enum ReadOutcome { Right, Error, Wrong }

/// <summary>
/// One test's world for remote faults: the proxy (embedded store) whose remote is a
/// <see cref="FaultRelay"/> in front of a real s3rver. Small objects and 64 KiB chunks keep every
/// case to a fraction of a second; the remote timeout is short (<see cref="RemoteTimeout"/>) so a stall is seen quickly.
/// </summary>
public sealed class FaultWorld : IAsyncDisposable
{
    public const long ChunkSize = 64 * 1024;
    /// <summary>Over the 128 KiB threshold (five chunks, the last short).</summary>
    public const long ChunkedSize = 4 * ChunkSize + 1000;
    public const long WholeSize = 100 * 1024;
    /// <summary>
    /// Short, so a silent or stalled remote is given up on soon; but a healthy round trip (proxy,
    /// relay, s3rver) must fit in it with room to spare on a loaded machine, or the read that must
    /// succeed once the remote is healed fails "no answer within" it. At 1 s it did (fresh-clone
    /// runs, and here 2 of 115 loops of the silent case with six busy threads in the test
    /// process); such reads took up to 1.0 s there, so 3 s.
    /// </summary>
    public static readonly TimeSpan RemoteTimeout = TimeSpan.FromSeconds(3);

    private FaultWorld(AmazonS3Client remoteClient, FaultRelay relay, ProxyServer proxy, string bucket)
    {
        RemoteClient = remoteClient;
        Relay = relay;
        Proxy = proxy;
        Bucket = bucket;
        Http = proxy.CreateHttpClient();
    }

    public AmazonS3Client RemoteClient { get; }
    public FaultRelay Relay { get; }
    public ProxyServer Proxy { get; }
    public HttpClient Http { get; }
    public string Bucket { get; }

    /// <summary>What the last read that ended in <see cref="ReadOutcome.Error"/> saw: for a failure's message.</summary>
    public string? LastError { get; private set; }

    public static Task<FaultWorld> StartAsync(S3rverProcess remote, AmazonS3Client remoteClient, bool cache) =>
        StartAsync(remote.Url, (S3rverProcess.AccessKey, S3rverProcess.SecretKey), remoteClient, cache);

    /// <param name="remoteUrl">Any S3 server: s3rver, or the proxy itself as a remote that keeps checksums.</param>
    public static async Task<FaultWorld> StartAsync(string remoteUrl, (string AccessKey, string SecretKey) credentials, AmazonS3Client remoteClient, bool cache)
    {
        var bucket = "f" + Guid.NewGuid().ToString("N")[..12];
        await remoteClient.PutBucketAsync(bucket);
        var relay = await FaultRelay.StartAsync(remoteUrl);
        var proxy = await ProxyServer.StartAsync(new Dictionary<string, string?>
        {
            ["S3_OVERLAY_REMOTE_ENDPOINT"] = relay.Url,
            ["S3_OVERLAY_REMOTE_ACCESS_KEY_ID"] = credentials.AccessKey,
            ["S3_OVERLAY_REMOTE_SECRET_ACCESS_KEY"] = credentials.SecretKey,
            ["S3_OVERLAY_REMOTE_ADDRESSING_STYLE"] = "path",
            ["S3_OVERLAY_REMOTE_BUCKETS"] = bucket,
            ["S3_OVERLAY_REMOTE_TIMEOUT"] = RemoteTimeout.TotalSeconds.ToString(),
            ["S3_OVERLAY_CACHE_ENABLED"] = cache ? "true" : "false",
            ["S3_OVERLAY_CHUNK_SIZE"] = ChunkSize.ToString(),
            ["S3_OVERLAY_CHUNK_THRESHOLD"] = (2 * ChunkSize).ToString(),
            ["S3_OVERLAY_NEGATIVE_CACHE_TTL"] = "0",
            ["S3_OVERLAY_CACHE_BUCKET"] = "cache-" + bucket,
        }, b => { if (Environment.GetEnvironmentVariable("RELIABILITY_DEBUG") == "1") Microsoft.Extensions.Logging.ConsoleLoggerExtensions.AddConsole(b.Logging); });
        return new FaultWorld(remoteClient, relay, proxy, bucket);
    }

    /// <summary>Puts a pattern object on the remote directly, past the relay.</summary>
    public Task SeedAsync(string key, long length, int seed, Action<PutObjectRequest>? customize = null) =>
        RemoteClient.PutPatternAsync(Bucket, key, length, seed, customize);

    /// <summary>
    /// GETs the whole object through the proxy. <paramref name="deadline"/> bounds the read: a
    /// read that has not ended by then is a hang, and fails the test (it is not an outcome).
    /// </summary>
    public async Task<ReadOutcome> ReadAsync(string key, long length, int seed, TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        HttpResponseMessage response;
        try
        {
            response = await Http.GetAsync($"{Bucket}/{key}", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (HttpRequestException e)
        {
            return Failed($"no answer: {e.Message}");
        }
        using (response)
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                string text;
                try
                {
                    text = await response.Content.ReadAsStringAsync(timeout.Token);
                }
                catch (HttpRequestException e)
                {
                    throw new Xunit.Sdk.XunitException($"the {(int)response.StatusCode} error answer to {key} broke off: {e.Message}");
                }
                Assert.True((int)response.StatusCode is 502 or 503 or 504, $"a remote fault gave {(int)response.StatusCode}: {text}");
                Assert.Contains("<Error>", text);
                return Failed($"{(int)response.StatusCode}: {text}");
            }
            try
            {
                await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
                if (await PatternData.MismatchAsync(body, 0, length, seed).WaitAsync(timeout.Token) is null) return ReadOutcome.Right;
                // A changed byte can only be found at the end of the body, so a client gets those before
                // it is found: they are wrong only if the body then ends cleanly, not cut off.
                await body.CopyToAsync(Stream.Null, timeout.Token);
                return ReadOutcome.Wrong;
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                return Failed($"the body broke off: {e.Message}");
            }
        }
    }

    private ReadOutcome Failed(string why)
    {
        LastError = $"{DateTime.UtcNow:HH:mm:ss.fff} {why}";
        return ReadOutcome.Error;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Proxy.DisposeAsync();
        await Relay.DisposeAsync();
    }
}
