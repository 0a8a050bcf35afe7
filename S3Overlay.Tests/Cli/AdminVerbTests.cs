using System.Net;
using System.Text.Json;
using Amazon.S3;
using S3Overlay.Tests.Admin;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Overlay;

namespace S3Overlay.Tests.Cli;

/// <summary>
/// <c>s3overlay status|warm|evict|whiteouts</c> against a running overlay (s3rver as the remote,
/// behind a counting relay): each verb changes or shows what the server really holds.
/// </summary>
[FunctionalTests]
public sealed class AdminVerbTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    private Task<OverlayEnvironment> StartAsync() => OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded);

    private static Task<CliRun> RunAsync(OverlayEnvironment env, params string[] args) =>
        CliRun.RunAsync([.. args, "--server", env.Proxy.Url]);

    [Fact]
    public async Task Warm_follows_the_job_to_the_end_after_which_reads_cost_no_remote_request()
    {
        await using var env = await StartAsync();
        for (var i = 0; i < 3; i++) await env.SeedRemoteAsync($"warm/{i}.bin", 50_000, i);
        await env.SeedRemoteAsync("cold/x.bin", 1000, 9);

        var run = await RunAsync(env, "warm", $"{env.Bucket}/warm/");

        Assert.True(run.ExitCode == 0, run.Error + run.Output);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain('\r', run.Output); // not a terminal: plain lines
        Assert.Equal("completed: 3/3 objects, 146.5 KiB", lines[^1]);
        using var admin = new AdminHttp(env.Proxy.Url);
        await EventuallyAsync(async () => (await admin.ReportAsync(env.Bucket, "warm/")).GetProperty("objects").GetInt32() == 3, "the warmed objects are stored");
        env.Relay.ResetCounts();
        for (var i = 0; i < 3; i++) await env.GetAndCheckAsync($"warm/{i}.bin", i, 50_000);
        Assert.Equal(0, env.Relay.TotalRequests);
        Assert.Equal(0, (await admin.ReportAsync(env.Bucket, "cold/")).GetProperty("objects").GetInt32());
    }

    [Fact]
    public async Task Evict_drops_one_key_or_a_folder_so_the_next_read_is_a_remote_fill()
    {
        await using var env = await StartAsync();
        await env.SeedRemoteAsync("a/one.bin", 10_000, 1);
        await env.SeedRemoteAsync("a/two.bin", 20_000, 2);
        await env.GetAndCheckAsync("a/one.bin", 1, 10_000);
        await env.GetAndCheckAsync("a/two.bin", 2, 20_000);
        using var admin = new AdminHttp(env.Proxy.Url);
        await EventuallyAsync(async () => (await admin.ReportAsync(env.Bucket)).GetProperty("objects").GetInt32() == 2, "both fills are stored");

        var run = await RunAsync(env, "evict", $"{env.Bucket}/a/one.bin");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal("evicted 1 objects (0 in 0 chunks), 9.8 KiB", run.Output.Trim());
        Assert.False(await env.IsStoredLocallyAsync("a/one.bin"));
        Assert.True(await env.IsStoredLocallyAsync("a/two.bin"));

        run = await RunAsync(env, "evict", $"{env.Bucket}/a/");
        Assert.Equal("evicted 1 objects (0 in 0 chunks), 19.5 KiB", run.Output.Trim());
        env.Relay.ResetCounts();
        await env.GetAndCheckAsync("a/two.bin", 2, 20_000);
        Assert.Equal(1, env.Relay.TotalRequests);
    }

    [Fact]
    public async Task Whiteouts_lists_the_keys_deleted_here_and_clear_brings_the_remote_s_object_back()
    {
        await using var env = await StartAsync();
        await env.SeedRemoteAsync("docs/gone.txt", 100, 1);
        await env.SeedRemoteAsync("docs/kept.txt", 100, 2);
        await env.Client.DeleteObjectAsync(env.Bucket, "docs/gone.txt");

        var run = await RunAsync(env, "whiteouts", "list", $"{env.Bucket}/docs/");
        Assert.True(run.ExitCode == 0, run.Error);
        var line = Assert.Single(run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.EndsWith("  docs/gone.txt", line);

        run = await RunAsync(env, "whiteouts", "clear", $"{env.Bucket}/docs/gone.txt");
        Assert.Equal("cleared 1 whiteouts", run.Output.Trim());
        await env.GetAndCheckAsync("docs/gone.txt", 1, 100);
        Assert.Equal("", (await RunAsync(env, "whiteouts", "list", env.Bucket)).Output);
    }

    [Fact]
    public async Task Status_prints_the_server_s_figures_and_json_on_request()
    {
        await using var env = await StartAsync();
        await env.SeedRemoteAsync("s.bin", 4096, 1);
        await env.GetAndCheckAsync("s.bin", 1, 4096);

        var run = await RunAsync(env, "status");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Matches(@"requests +[1-9]\d* \(", run.Output);
        Assert.Contains("4.0 KiB fetched", run.Output);
        Assert.Contains("hit ratio", run.Output);

        run = await RunAsync(env, "status", "--json");
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal(4096, json.RootElement.GetProperty("bytes").GetProperty("fetchedFromRemote").GetInt64());
    }

    [Fact]
    public async Task Wrong_credentials_or_no_server_end_with_the_reason_and_exit_code_1()
    {
        await using var env = await StartAsync();
        var run = await RunAsync(env, "evict", env.Bucket, "--access-key", ProxyServer.AccessKey, "--secret-key", "wrong");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("401", run.Error);

        using var nothing = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0); // a port nobody answers on
        nothing.Start();
        var port = ((IPEndPoint)nothing.LocalEndpoint).Port;
        nothing.Stop();
        run = await CliRun.RunAsync("status", "--server", $"http://127.0.0.1:{port}");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"cannot reach http://127.0.0.1:{port}", run.Error);
    }
}
