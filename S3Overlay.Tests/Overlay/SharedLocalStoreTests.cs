using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;
using static S3Overlay.Tests.Infrastructure.OverlayEnvironment;

namespace S3Overlay.Tests.Overlay;

/// <summary>
/// Two proxies in front of one S3 local store (s3rver, and Ceph's RADOS Gateway) behave as one:
/// everything the overlay keeps lives in the local store, so what one filled, the other serves.
/// The relay counts what reaches the remote from both.
/// </summary>
[FunctionalTests]
public class SharedLocalStoreTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    private static async Task<GetObjectResponse> GetAndCheckAsync(AmazonS3Client client, string bucket, string key, int seed, long size)
    {
        var response = await client.GetObjectAsync(bucket, key);
        await using (response.ResponseStream)
            Assert.Null(await PatternData.MismatchAsync(response.ResponseStream, 0, size, seed));
        return response;
    }

    [Theory]
    [InlineData(LocalStoreKind.S3)]
    [InlineData(LocalStoreKind.Rgw)]
    public async Task An_object_filled_through_one_proxy_is_served_by_the_other_without_the_remote(LocalStoreKind kind)
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, kind);
        var put = await env.SeedRemoteAsync("shared.bin", 300_000, 21, r => r.ContentType = "application/x-shared");
        await env.GetAndCheckAsync("shared.bin", 21, 300_000);
        await EventuallyAsync(() => env.IsStoredLocallyAsync("shared.bin"), "the first proxy stores what it filled");

        await using var second = await env.StartAnotherProxyAsync();
        using var client = second.CreateClient(defaults: false);
        env.Relay.ResetCounts();

        var got = await GetAndCheckAsync(client, env.Bucket, "shared.bin", 21, 300_000);
        Assert.Equal(put.ETag, got.ETag);
        Assert.Equal("application/x-shared", got.Headers.ContentType);
        Assert.Equal(0, env.Relay.TotalRequests);
    }

    [Theory]
    [InlineData(LocalStoreKind.S3)]
    [InlineData(LocalStoreKind.Rgw)]
    public async Task A_chunked_object_half_filled_through_one_proxy_is_completed_through_the_other(LocalStoreKind kind)
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, kind, new Dictionary<string, string?>
        {
            ["S3_OVERLAY_CHUNK_SIZE"] = $"{1 * MiB}",
            ["S3_OVERLAY_CHUNK_THRESHOLD"] = $"{1 * MiB}",
        });
        const long size = 4 * MiB;
        await env.SeedRemoteAsync("chunked.bin", size, 22);

        // The first proxy fills the first two of four chunks.
        await env.GetAndCheckAsync("chunked.bin", 22, size, 0, 2 * MiB - 1);
        await EventuallyAsync(async () =>
        {
            env.Relay.ResetCounts();
            await env.GetAndCheckAsync("chunked.bin", 22, size, 0, 2 * MiB - 1);
            return env.Relay.Requests("GET") == 0;
        }, "the first two chunks are in the local store");

        // A read ahead never goes past the range asked for, so the first proxy fetched chunks 0
        // and 1 only; a client has its last byte before the chunk is stored, so wait until the
        // first proxy's fills are over (not just its remote reads: its local writes too).
        await env.FillsIdleAsync();

        // The second proxy serves what the first stored from the local store and fetches the rest,
        // one chunk a GET: exactly the last two chunks.
        await using var second = await env.StartAnotherProxyAsync();
        using var client = second.CreateClient(defaults: false);
        env.Relay.ResetCounts();
        var whole = await GetAndCheckAsync(client, env.Bucket, "chunked.bin", 22, size);
        Assert.Equal(HttpStatusCode.OK, whole.HttpStatusCode);
        Assert.Equal(2, env.Relay.Requests("GET"));
        Assert.Equal(env.Relay.Requests("GET") * MiB, env.Relay.BytesRelayed);

        // And then both serve all of it from the local store.
        await EventuallyAsync(async () =>
        {
            env.Relay.ResetCounts();
            await GetAndCheckAsync(client, env.Bucket, "chunked.bin", 22, size);
            await env.GetAndCheckAsync("chunked.bin", 22, size);
            return env.Relay.Requests("GET") == 0;
        }, "the completed object is served by both without remote GETs");
    }
}
