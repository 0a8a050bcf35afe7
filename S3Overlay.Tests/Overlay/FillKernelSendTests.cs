using Microsoft.Extensions.Logging;
using S3Overlay.Tests.Infrastructure;
using static S3Overlay.Tests.Infrastructure.KernelSendProbe;

namespace S3Overlay.Tests.Overlay;

/// <summary>
/// A fill's first readers get its bytes from the fill's file by the kernel (<c>sendfile</c>), a
/// piece at a time as the remote's bytes are written, instead of reading back what was just
/// written and copying it out: byte for byte, to a fast reader, a slow one and one that leaves,
/// and, where the disk fills mid-fill, the rest read from the remote. (Faults of the remote
/// mid-fill, 100 KiB bodies that go this way too: Reliability/RemoteFaultTests.)
/// </summary>
[FunctionalTests]
public sealed class FillKernelSendTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    private const long Size = 3 * OverlayEnvironment.MiB + 17;

    [Fact]
    public async Task A_fill_goes_to_its_reader_by_the_kernel_as_it_arrives_and_is_stored()
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded);
        await env.SeedRemoteAsync("cold.bin", Size, 1);
        var counts = Counts(env.Proxy);

        await env.GetAndCheckAsync("cold.bin", 1, Size);
        await AssertFileBytesSentAsync(env.Proxy, Size);
        Assert.True(counts.BytesByKernel > 0, "no byte of the fill went by the kernel");

        await env.FillsIdleAsync();
        Assert.True(await env.IsStoredLocallyAsync("cold.bin"));
        await env.GetAndCheckAsync("cold.bin", 1, Size, first: 1000, last: 2_000_999);
        Assert.Equal(1, env.Relay.Requests("GET"));
    }

    [Fact]
    public async Task A_chunked_objects_fetched_and_cached_chunks_go_by_the_kernel_in_pieces()
    {
        const long chunk = 2 * OverlayEnvironment.MiB;
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded,
            new Dictionary<string, string?> { ["S3_OVERLAY_CHUNK_SIZE"] = $"{chunk}", ["S3_OVERLAY_CHUNK_THRESHOLD"] = $"{chunk}" });
        const long size = 3 * chunk + 17;
        await env.SeedRemoteAsync("big.bin", size, 5);
        var counts = Counts(env.Proxy);

        // Chunks 1 to 3 fetched for a range: each chunk's fill, as it arrives.
        const long first = chunk + 5, last = size - 100;
        await env.GetAndCheckAsync("big.bin", 5, size, first, last);
        await AssertFileBytesSentAsync(env.Proxy, last - first + 1);
        Assert.True(counts.BytesByKernel > 0, "no byte of the chunk fills went by the kernel");

        // Then chunk 0 fetched, the rest from the cache; then all of it cached: 1 MiB at a time.
        await env.FillsIdleAsync();
        await env.GetAndCheckAsync("big.bin", 5, size);
        await env.FillsIdleAsync();
        await AssertFileBytesSentAsync(env.Proxy, last - first + 1 + size);
        var beforeCached = counts.BytesByKernel;
        await env.GetAndCheckAsync("big.bin", 5, size);
        await AssertFileBytesSentAsync(env.Proxy, last - first + 1 + 2 * size);
        Assert.True(counts.BytesByKernel > beforeCached, "no byte of the cached chunks went by the kernel");
    }

    [Fact]
    public async Task A_slow_reader_of_a_fill_gets_every_byte()
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded);
        await env.SeedRemoteAsync("cold.bin", Size, 2);
        using var http = NarrowClient(env.Proxy);

        using var response = await http.GetAsync($"{env.Bucket}/cold.bin", HttpCompletionOption.ResponseHeadersRead);
        // The fill's file whole before the reader goes on: its next piece is the rest, megabytes the
        // socket cannot take at once (read as it arrives, a slow remote's pieces fit the socket one
        // by one, and the wait was never taken: 1 fresh-clone CI run of 7).
        await env.FillsIdleAsync();
        await ReadSlowlyAndCheckAsync(env.Proxy, response, Size, seed: 2);
    }

    [Fact]
    public async Task A_reader_that_leaves_mid_fill_leaves_the_fill_storing_and_no_warning()
    {
        var warnings = new SendWarnings();
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded, configure: b => b.Logging.AddProvider(warnings));
        await env.SeedRemoteAsync("cold.bin", Size, 3);
        using (var http = NarrowClient(env.Proxy))
        using (var response = await http.GetAsync($"{env.Bucket}/cold.bin", HttpCompletionOption.ResponseHeadersRead))
        await using (var body = await response.Content.ReadAsStreamAsync())
            await body.ReadExactlyAsync(new byte[64 * 1024]);
        // hung up with megabytes unsent

        await env.FillsIdleAsync();
        Assert.True(await env.IsStoredLocallyAsync("cold.bin"));
        await env.GetAndCheckAsync("cold.bin", 3, Size);
        Assert.Equal(1, env.Relay.Requests("GET"));
        Assert.Empty(warnings.Lines);
    }

    [Fact]
    public async Task Where_the_disk_fills_mid_fill_the_kernel_sent_part_is_followed_by_the_remote_rest()
    {
        using var disk = SmallDisk.Mount(8 * OverlayEnvironment.MiB);
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded, dataDir: disk.Folder("data"));
        await env.SeedRemoteAsync("cold.bin", Size, 4);
        disk.FillUp(leave: OverlayEnvironment.MiB);
        var counts = Counts(env.Proxy);
        // The remote holds the body after its first 64 KiB until the reader has them, so the
        // reader's first piece comes from the fill's file before the fill reaches the full disk
        // (left to run, the fill can fill the disk first, and every byte comes from the remote).
        var remoteBody = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        const int firstPiece = 64 * 1024;
        env.Relay.CutAfterBytes = firstPiece;
        env.Relay.PauseMidBody = remoteBody;

        using var response = await env.Client.GetObjectAsync(env.Bucket, "cold.bin").WaitAsync(TimeSpan.FromSeconds(30));
        var first = new byte[firstPiece];
        await response.ResponseStream.ReadExactlyAsync(first).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Null(await PatternData.MismatchAsync(new MemoryStream(first), 0, firstPiece, 4));
        remoteBody.SetResult();
        Assert.Null(await PatternData.MismatchAsync(response.ResponseStream, firstPiece, Size - firstPiece, 4));
        var byFile = counts.BytesByKernel + counts.BytesCopied;
        Assert.True(byFile is > 0 and < Size, $"{byFile} of {Size} bytes came from the fill's file: not part of them");
        await env.FillsIdleAsync();
        Assert.False(await env.IsStoredLocallyAsync("cold.bin"));
    }
}
