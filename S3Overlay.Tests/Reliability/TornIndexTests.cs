using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using S3Overlay.Overlay;
using S3Overlay.Overlay.Eviction;
using S3Overlay.Signing;
using S3Overlay.Storage;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Overlay;
using S3Overlay.Tests.Reliability.Fuzz;

namespace S3Overlay.Tests.Reliability;

/// <summary>
/// s3rver truncates an object and writes a PUT's bytes over it as they arrive, and its ETag only
/// once the body is complete: a writer cut off mid-PUT (a proxy killed while it flushed its
/// eviction index) leaves the bytes it sent under the old ETag, for good. A fresh-clone crash run
/// over s3rver found the index so torn: the restarted proxy could not read it and, since every
/// flush merges what is stored before writing, never wrote it again. The tests' other s3rvers
/// replace an object whole; this one writes in place, as s3rver does.
/// </summary>
[ReliabilityTests]
public sealed class TornIndexTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task An_index_a_cut_off_write_tore_is_written_anew_by_the_restarted_proxy()
    {
        await using var local = await S3rverProcess.StartAsync(writesInPlace: true);
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.S3, local.User.AsLocalStore());
        var cacheBucket = env.Part<OverlaySettings>().CacheBucket;
        await env.SeedRemoteAsync("filled.bin", 5_000, 31);
        await env.GetAndCheckAsync("filled.bin", 31, 5_000);
        await env.FillsIdleAsync();
        await env.Part<CacheIndex>().FlushAsync(CancellationToken.None);
        var stored = await env.LocalStore.HeadObjectAsync(cacheBucket, CacheIndex.RecordKey, ReadConditions.None, CancellationToken.None);

        var sent = stored.Size / 2;
        // s3rver's length is its file's: once it says the part sent, that part is written (a read
        // before then races s3rver's own writes). Then the writer dies.
        using (await StartPutAsync(local.Url, cacheBucket, CacheIndex.RecordKey, length: stored.Size * 2, sent))
            await Polling.EventuallyAsync(async () => (await env.LocalStore.HeadObjectAsync(cacheBucket, CacheIndex.RecordKey, ReadConditions.None, CancellationToken.None)).Size == sent,
                "s3rver wrote the part it got over the record");
        Assert.Null(await TryReadIndexAsync(env.LocalStore, cacheBucket));

        await env.RestartAsync();
        await Polling.EventuallyAsync(() => env.Part<CacheReconciler>().Reconciled, "the restarted proxy reconciled the index and wrote its record");
        var index = await TryReadIndexAsync(env.LocalStore, cacheBucket);
        // Seen once in ten fresh-clone runs of the full suite, never alone (32 runs, 20 of them
        // under load): what the record is then tells a write that never came (the torn part's
        // size and the old ETag) from one whose ETag was changed behind it (the new size). Seen
        // again (23 Nov) as 0 bytes under the new ETag: s3rver had answered the proxy's PUT before
        // writing its bytes, which the tests' s3rver does not (s3rver/durable-writes.js).
        Assert.True(index is not null, await DescribeAsync(env.LocalStore, cacheBucket, stored, sent));
        Assert.Contains(index, e => e.Kind == CacheEntryKind.Object && e.Key == "filled.bin" && e.Size == 5_000);
    }

    private static async Task<string> DescribeAsync(IObjectStore store, string bucket, ObjectInfo before, long sent)
    {
        var now = await store.HeadObjectAsync(bucket, CacheIndex.RecordKey, ReadConditions.None, CancellationToken.None);
        return $"The index is still unreadable after the restarted proxy's reconcile: stored now {now.Size} bytes, ETag {now.ETag}, " +
               $"last modified {now.LastModified:O}; before the cut {before.Size} bytes, ETag {before.ETag}; the cut part {sent} bytes.";
    }

    /// <summary>The record as a reader finds it; null when its body is not what its ETag says (torn).</summary>
    private static async Task<List<CacheEntry>?> TryReadIndexAsync(IObjectStore store, string bucket)
    {
        try
        {
            await using var content = await store.GetObjectAsync(bucket, CacheIndex.RecordKey, ObjectReadRequest.Whole, CancellationToken.None);
            return await JsonSerializer.DeserializeAsync<List<CacheEntry>>(content.Body, Json);
        }
        catch (CorruptBodyException)
        {
            return null;
        }
    }

    /// <summary>
    /// A PUT that promises <paramref name="length"/> bytes and sends <paramref name="sent"/>; the
    /// writer dies when the socket returned is disposed: it is reset, as the kernel resets a
    /// killed process's.
    /// </summary>
    private static async Task<Socket> StartPutAsync(string server, string bucket, string key, long length, long sent)
    {
        var request = new RawRequest("PUT", $"/{bucket}/{key}")
        {
            AccessKey = S3rverProcess.AccessKey, SecretKey = S3rverProcess.SecretKey,
            ContentLength = length.ToString(CultureInfo.InvariantCulture),
            Body = Enumerable.Repeat((byte)' ', (int)sent).ToArray(),
        }.Header("x-amz-content-sha256", SigV4.UnsignedPayload);
        var uri = new Uri(server);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { LingerState = new LingerOption(true, 0) };
        try
        {
            await socket.ConnectAsync(uri.Host, uri.Port);
            await socket.SendAsync(request.Encode(uri.Authority));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
