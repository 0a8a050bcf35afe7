using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Overlay.Keys;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Overlay.Fills;

/// <summary>
/// A cold read of a key the local store is known not to hold asks the remote beside the local
/// store, not after it; the local store's answer still wins, and what this proxy knows of its
/// keys comes from one listing at start and its own writes and reads. Runs over the embedded
/// store and over RGW (behind a relay that can hold its answers back); not over s3rver, where a
/// miss must read the record that may name a chunked object (it cannot mark one at its key).
/// </summary>
public abstract class EarlyRemoteReadTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    private const long Size = 200_000;

    protected abstract LocalStoreKind Kind { get; }

    protected async Task<OverlayEnvironment> StartAsync(bool early = true)
    {
        var env = await OverlayEnvironment.StartAsync(servers, Kind, new Dictionary<string, string?>
        {
            ["S3_OVERLAY_EARLY_REMOTE_READS"] = early ? null : "false",
        }, countLocal: true);
        // A fill makes the local bucket, and the listing of the local store's keys is over.
        await env.SeedRemoteAsync("warm-up", 10, 0);
        await env.GetAndCheckAsync("warm-up", 0, 10);
        await env.FillsIdleAsync();
        return env;
    }

    [Fact]
    public async Task A_key_another_process_wrote_is_served_from_the_local_store_and_learnt_by_one_early_read()
    {
        await using var env = await StartAsync();
        await env.SeedRemoteAsync("theirs.txt", Size, 1);
        await WriteBehindItsBackAsync(env, "theirs.txt");
        using var outcomes = new EarlyReadOutcomes(env);

        Assert.Equal(Theirs, await ReadTextAsync(env, "theirs.txt"));
        Assert.Equal(new Dictionary<string, long> { ["let_go"] = 1 }, outcomes.Counted);
        // Learnt: the next read asks the local store only. (Counted by outcome, not at the remote:
        // the GET let go may reach it late, or not at all if it was cancelled before it was sent.)
        Assert.Equal(Theirs, await ReadTextAsync(env, "theirs.txt"));
        Assert.Equal(new Dictionary<string, long> { ["let_go"] = 1 }, outcomes.Counted);
    }

    [Fact]
    public async Task Keys_this_proxy_wrote_or_deleted_and_keys_held_when_it_started_never_ask_the_remote()
    {
        await using var env = await StartAsync();
        foreach (var key in new[] { "written.txt", "deleted.txt", "filled.bin", "cold-1.bin", "cold-2.bin" }) await env.SeedRemoteAsync(key, Size, 2);
        await env.GetAndCheckAsync("filled.bin", 2, Size);
        await env.FillsIdleAsync();
        await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "written.txt", ContentBody = "mine" });
        await env.Client.DeleteObjectAsync(env.Bucket, "deleted.txt");
        env.Relay.ResetCounts();
        using var outcomes = new EarlyReadOutcomes(env);

        Assert.Equal("mine", await ReadTextAsync(env, "written.txt"));
        var deleted = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => env.Client.GetObjectAsync(env.Bucket, "deleted.txt"));
        Assert.Equal("NoSuchKey", deleted.ErrorCode);
        Assert.Equal(0, env.Relay.TotalRequests);

        // A restarted proxy knows them from its listing of the local store. Its first fill asks
        // the local store whether it refuses a write over an object (only then are chunked
        // objects marked at their keys, and a miss a miss); from the next cold read on, it reads early.
        await env.RestartAsync();
        await env.GetAndCheckAsync("cold-1.bin", 2, Size);
        await env.FillsIdleAsync();
        using var afterRestart = new EarlyReadOutcomes(env);
        await env.GetAndCheckAsync("cold-2.bin", 2, Size);
        Assert.Equal(new Dictionary<string, long> { ["used"] = 1 }, afterRestart.Counted);
        env.Relay.ResetCounts();
        await env.GetAndCheckAsync("filled.bin", 2, Size);
        Assert.Equal("mine", await ReadTextAsync(env, "written.txt"));
        await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => env.Client.GetObjectAsync(env.Bucket, "deleted.txt"));
        Assert.Equal(0, env.Relay.TotalRequests);
        Assert.Empty(outcomes.Counted);
        Assert.Equal(new Dictionary<string, long> { ["used"] = 1 }, afterRestart.Counted);
    }

    [Fact]
    public async Task A_key_whose_copy_was_evicted_is_read_early_again()
    {
        await using var env = await StartAsync();
        await env.SeedRemoteAsync("evicted.bin", Size, 3);
        await env.SeedRemoteAsync("cold.bin", Size, 3);
        await env.GetAndCheckAsync("evicted.bin", 3, Size);
        await env.FillsIdleAsync();
        // Filled long ago, as what an eviction picks is: by an earlier process (this one would
        // still join or look again for what it lately filled). Its first fill marks chunked objects at their keys.
        await env.RestartAsync();
        await env.GetAndCheckAsync("cold.bin", 3, Size);
        await env.FillsIdleAsync();
        Assert.False(env.Part<LocalKeys>().KnownAbsent(env.Bucket, "evicted.bin"));

        Assert.Equal(1, (await env.Part<S3Overlay.Overlay.Eviction.CacheEvictor>().EvictKeyAsync(env.Bucket, "evicted.bin", default)).Objects);
        Assert.True(env.Part<LocalKeys>().KnownAbsent(env.Bucket, "evicted.bin"));
        using var outcomes = new EarlyReadOutcomes(env);
        await env.GetAndCheckAsync("evicted.bin", 3, Size);
        Assert.Equal(new Dictionary<string, long> { ["used"] = 1 }, outcomes.Counted);
    }

    [Fact]
    public async Task Turned_off_a_read_asks_the_remote_only_after_the_local_miss()
    {
        await using var env = await StartAsync(early: false);
        await env.SeedRemoteAsync("theirs.txt", Size, 1);
        await WriteBehindItsBackAsync(env, "theirs.txt");
        await env.SeedRemoteAsync("cold.bin", Size, 1);
        env.Relay.ResetCounts();
        using var outcomes = new EarlyReadOutcomes(env);

        Assert.Equal(Theirs, await ReadTextAsync(env, "theirs.txt"));
        await env.GetAndCheckAsync("cold.bin", 1, Size);
        Assert.Equal(["GET whole"], env.Relay.Asked);
        Assert.Empty(outcomes.Counted);
        Assert.False(env.Part<LocalKeys>().KnownAbsent(env.Bucket, "never-written"));
    }

    private const string Theirs = "written by another process";

    /// <summary>Writes the key into the local store as another process sharing it would: this proxy is not told.</summary>
    private static async Task WriteBehindItsBackAsync(OverlayEnvironment env, string key)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(Theirs);
        await env.LocalStore.PutObjectAsync(env.Bucket, key, new MemoryStream(bytes), new S3Overlay.Storage.ObjectWrite { ContentLength = bytes.Length }, default);
    }

    private static async Task<string> ReadTextAsync(OverlayEnvironment env, string key)
    {
        using var response = await env.Client.GetObjectAsync(env.Bucket, key);
        using var reader = new StreamReader(response.ResponseStream);
        return await reader.ReadToEndAsync();
    }
}

[FunctionalTests]
public sealed class EarlyRemoteReadsOverEmbeddedStoreTests(OverlayServers servers) : EarlyRemoteReadTests(servers)
{
    protected override LocalStoreKind Kind => LocalStoreKind.Embedded;
}

[FunctionalTests]
public sealed class EarlyRemoteReadsOverRgwTests(OverlayServers servers) : EarlyRemoteReadTests(servers)
{
    private const long Size = 200_000;

    protected override LocalStoreKind Kind => LocalStoreKind.Rgw;

    [Fact]
    public async Task A_cold_read_asks_the_remote_while_the_local_store_has_not_answered_yet()
    {
        await using var env = await StartAsync();
        await env.SeedRemoteAsync("cold.bin", Size, 1);
        env.Relay.ResetCounts();

        var localAnswer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        env.LocalRelay!.Held = localAnswer;
        var read = env.GetAndCheckAsync("cold.bin", 1, Size);
        try
        {
            // Without the early start, the remote would be asked only once the local miss came back.
            // The early GET is sent before the local read: on a busy machine it may reach its relay
            // first, so both are waited for (the local answer is held until the finally below).
            await Polling.EventuallyAsync(() => env.Relay.Requests("GET") == 1 && env.LocalRelay.OpenRequests == 1,
                "the remote is asked while the local store holds its answer");
        }
        finally
        {
            env.LocalRelay.Held = null;
            localAnswer.SetResult();
        }
        await read;
        await env.FillsIdleAsync();

        // One remote GET in all, and the copy it filled serves the next read.
        Assert.Equal(["GET whole"], env.Relay.Asked);
        await env.GetAndCheckAsync("cold.bin", 1, Size);
        Assert.Equal(1, env.Relay.TotalRequests);
        Assert.True(await env.IsStoredLocallyAsync("cold.bin"));
    }
}
