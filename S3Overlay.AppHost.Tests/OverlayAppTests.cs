using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.AppHost.Seeding;

namespace S3Overlay.AppHost.Tests;

/// <summary>
/// What a user of the AppHost sees, on the whole app started once (<see cref="OverlayApp"/>): reads
/// through the proxy fill from the seeded remote and then hit the local store, writes and deletes stay
/// local (each checked in both stores through their own endpoints), and every overlay decision shows
/// in the dashboard's traces with its attributes. Each test reads its own demo object.
/// </summary>
[TestCaseOrderer(typeof(TeardownLast))]
[Collection(OverlayApp.Collection)]
public class OverlayAppTests(OverlayApp overlay) : IClassFixture<OverlayApp>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_cold_read_is_one_remote_fill_and_the_next_a_local_hit()
    {
        var item = DemoObjects.All.Single(o => o.Key == "hello.txt");

        Assert.Equal(item.Text, await ReadTextAsync(overlay.Proxy, DemoObjects.LocalBucket, item.Key));
        // The fill goes on storing after the reader has its bytes, and its span ends when it is stored:
        // a read before then would join the fill instead of hitting the local copy.
        var spans = await overlay.Spans.WaitForAsync("proxy", s => Decisions(s, item.Key).Any(d => d.Name == "overlay.remote_fill"), Cancellation);
        var fill = Assert.Single(Decisions(spans, item.Key), d => d.Name == "overlay.remote_fill");
        // Beside it at most the remote GET sent early, before the local store had answered (the
        // proxy had listed the local keys by then): the fill's own first request, not a second one.
        Assert.All(Decisions(spans, item.Key), d => Assert.Contains(d.Name, new[] { "overlay.remote_fill", "overlay.early_remote_read" }));
        Assert.Equal(DemoObjects.LocalBucket, fill["s3.bucket"]);
        Assert.Equal("true", fill["overlay.cached"]);
        Assert.Equal("false", fill["overlay.coalesced"]);
        Assert.Equal(item.Size.ToString(), fill["overlay.bytes"]);
        using var local = await overlay.StoreAsync("minio", Cancellation);
        Assert.Equal(item.Text, await ReadTextAsync(local, DemoObjects.LocalBucket, item.Key));

        Assert.Equal(item.Text, await ReadTextAsync(overlay.Proxy, DemoObjects.LocalBucket, item.Key));

        spans = await overlay.Spans.WaitForAsync("proxy", s => Decisions(s, item.Key).Any(d => d.Name == "overlay.local_hit"), Cancellation);
        var hit = Assert.Single(Decisions(spans, item.Key), d => d.Name == "overlay.local_hit");
        Assert.Equal(DemoObjects.LocalBucket, hit["s3.bucket"]);
        Assert.Equal(item.Size.ToString(), hit["overlay.bytes"]);
        // The remote was asked for the object once, by the fill: its own request span is in the fill's trace.
        var remote = await overlay.Spans.WaitForAsync("remote", s => RemoteGets(s, item.Key).Any(), Cancellation);
        Assert.Equal(fill.TraceId, Assert.Single(RemoteGets(remote, item.Key)).TraceId);
    }

    [Fact]
    public async Task A_range_of_the_large_object_fills_one_chunk_only_and_then_hits_it()
    {
        var item = DemoObjects.All.Single(o => o.Key == DemoObjects.LargeKey);
        var first = DemoObjects.ChunkSize + 1000; // inside chunk 1 of 3

        await ReadRangeAsync(item.Key, first, 100);
        // As above: the chunk's span ends once the whole chunk is stored.
        var spans = await overlay.Spans.WaitForAsync("proxy", s => Decisions(s, item.Key).Any(), Cancellation);
        var fill = Assert.Single(Decisions(spans, item.Key));
        Assert.Equal("overlay.chunk_fill", fill.Name);
        Assert.Equal("1", fill["overlay.chunk.index"]);
        Assert.Equal("false", fill["overlay.coalesced"]);
        Assert.Equal(DemoObjects.ChunkSize.ToString(), fill["overlay.bytes"]);

        await ReadRangeAsync(item.Key, first, 100);

        spans = await overlay.Spans.WaitForAsync("proxy", s => Decisions(s, item.Key).Count == 2, Cancellation);
        var hit = Decisions(spans, item.Key)[1];
        Assert.Equal("overlay.chunk_hit", hit.Name);
        Assert.Equal("1", hit["overlay.chunk.index"]);
        Assert.Equal("100", hit["overlay.bytes"]);
        // One chunk's GET reached the remote, nothing of the other two.
        var remote = await overlay.Spans.WaitForAsync("remote", s => RemoteGets(s, item.Key).Any(), Cancellation);
        Assert.Equal(fill.TraceId, Assert.Single(RemoteGets(remote, item.Key)).TraceId);
    }

    [Fact]
    public async Task A_put_lands_in_the_local_store_and_not_on_the_remote()
    {
        const string key = "notes/written-through-the-proxy.txt";
        const string text = "written through the proxy\n";

        await overlay.Proxy.PutObjectAsync(new PutObjectRequest { BucketName = DemoObjects.LocalBucket, Key = key, ContentBody = text }, Cancellation);

        Assert.Equal(text, await ReadTextAsync(overlay.Proxy, DemoObjects.LocalBucket, key));
        using var local = await overlay.StoreAsync("minio", Cancellation);
        Assert.Equal(text, await ReadTextAsync(local, DemoObjects.LocalBucket, key));
        using var remote = await overlay.StoreAsync("remote", Cancellation);
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfReadAsync(remote, DemoObjects.RemoteBucket, key));
        // Read back from the local store, not filled: a local hit.
        var spans = await overlay.Spans.WaitForAsync("proxy", s => Decisions(s, key).Any(), Cancellation);
        Assert.Equal(["overlay.local_hit"], Decisions(spans, key).Select(s => s.Name));
    }

    [Fact]
    public async Task A_delete_hides_a_remote_object_that_stays_on_the_remote()
    {
        var item = DemoObjects.All.Single(o => o.Key == "docs/readme.md");

        await overlay.Proxy.DeleteObjectAsync(DemoObjects.LocalBucket, item.Key, Cancellation);

        Assert.Equal(HttpStatusCode.NotFound, await StatusOfReadAsync(overlay.Proxy, DemoObjects.LocalBucket, item.Key));
        using var remote = await overlay.StoreAsync("remote", Cancellation);
        Assert.Equal(item.Text, await ReadTextAsync(remote, DemoObjects.RemoteBucket, item.Key));
        // In the local store, the key holds the whiteout itself (a marker the overlay recognises), never the remote's bytes.
        using var local = await overlay.StoreAsync("minio", Cancellation);
        Assert.StartsWith("s3overlay whiteout:", await ReadTextAsync(local, DemoObjects.LocalBucket, item.Key));
        // Hidden by the whiteout: the proxy did not ask the remote for it. The one GET the remote saw is
        // this test's own, made after the proxy's read: had the proxy asked, that span would be there too.
        var spans = await overlay.Spans.WaitForAsync("proxy", s => Requests(s, "GetObject", item.Key).Any(), Cancellation);
        var read = Assert.Single(Requests(spans, "GetObject", item.Key));
        Assert.Equal("NoSuchKey", read["s3.error.code"]);
        var remoteSpans = await overlay.Spans.WaitForAsync("remote", s => RemoteGets(s, item.Key).Any(), Cancellation);
        Assert.NotEqual(read.TraceId, Assert.Single(RemoteGets(remoteSpans, item.Key)).TraceId);
    }

    /// <summary>
    /// A whole cold read of a chunked object, as the dashboard shows it under Traces: the request, a
    /// fill per chunk, and the remote's own spans under them. Headless Chromium takes docs/aspire.md's
    /// picture (docs/dashboard-trace.png when S3OVERLAY_README_SCREENSHOTS=1, else the test output).
    /// </summary>
    [Fact]
    public async Task The_dashboard_shows_a_cold_chunked_read_as_one_trace()
    {
        var item = DemoObjects.All.Single(o => o.Key == DemoObjects.SecondLargeKey);
        using (var got = await overlay.Proxy.GetObjectAsync(DemoObjects.LocalBucket, item.Key, Cancellation))
            Assert.Equal(item.Size, (await ReadAllAsync(got.ResponseStream)).Length);

        static List<DashboardSpan> Fills(IReadOnlyList<DashboardSpan> spans, string key) => [.. Decisions(spans, key).Where(s => s.Name == "overlay.chunk_fill")];
        var spans = await overlay.Spans.WaitForAsync("proxy", s => Fills(s, item.Key).Count == 3, Cancellation);
        Assert.Equal(["0", "1", "2"], Fills(spans, item.Key).Select(s => s["overlay.chunk.index"]!).Order());
        // Under the request: the remote's whole answer (its first chunk fills chunk 0), then a fill per chunk.
        var read = Assert.Single(Decisions(spans, item.Key), s => s.Name == "overlay.remote_fill");
        var trace = read.TraceId;
        Assert.All(Decisions(spans, item.Key), s => Assert.Equal(trace, s.TraceId));

        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run build/install-test-tools.sh (Debian package chromium)");
        using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ChromiumFlags });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 1450 } });
        await page.GotoAsync(overlay.DashboardLogin.ToString()); // signs in with the browser token
        await page.GotoAsync(new Uri(overlay.DashboardLogin, $"/traces/detail/{trace}").ToString());
        await page.GetByText("overlay.chunk_fill").First.WaitForAsync(new() { Timeout = 60_000 });
        await page.ScreenshotAsync(new() { Path = ScreenshotPath("dashboard-trace.png") });
    }

    private const string Chromium = "/usr/bin/chromium";

    private static readonly string[] ChromiumFlags =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private static string ScreenshotPath(string name)
    {
        var dir = Environment.GetEnvironmentVariable("S3OVERLAY_README_SCREENSHOTS") == "1"
            ? Path.Combine(RepoPaths.Root, "docs")
            : Path.Combine(AppContext.BaseDirectory, "browser-screenshots");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name);
    }

    /// <summary>
    /// The stand-in remote announces its changes to the proxy (its webhook target, wired by the
    /// AppHost): a cached object replaced at the remote is served new at the next read, with no
    /// revalidation set, and the dashboard shows the event's span. Without the event the proxy
    /// would serve its copy for ever.
    /// </summary>
    [Fact]
    public async Task A_change_at_the_remote_is_announced_and_the_next_read_serves_it()
    {
        const string key = "events/news.txt";
        using var remote = await overlay.StoreAsync("remote", Cancellation);
        using var local = await overlay.StoreAsync("minio", Cancellation);
        await remote.PutObjectAsync(new PutObjectRequest { BucketName = DemoObjects.RemoteBucket, Key = key, ContentBody = "first", UseChunkEncoding = false }, Cancellation);
        Assert.Equal("first", await ReadTextAsync(overlay.Proxy, DemoObjects.LocalBucket, key));
        await overlay.Spans.WaitForAsync("proxy", s => Decisions(s, key).Any(d => d.Name == "overlay.remote_fill"), Cancellation);
        Assert.Equal("first", await ReadTextAsync(local, DemoObjects.LocalBucket, key)); // cached

        await remote.PutObjectAsync(new PutObjectRequest { BucketName = DemoObjects.RemoteBucket, Key = key, ContentBody = "second", UseChunkEncoding = false }, Cancellation);
        var served = "first";
        for (var deadline = DateTime.UtcNow.AddSeconds(30); served != "second" && DateTime.UtcNow < deadline; await Task.Delay(100, Cancellation))
            served = await ReadTextAsync(overlay.Proxy, DemoObjects.LocalBucket, key);
        Assert.Equal("second", served);

        var spans = await overlay.Spans.WaitForAsync("proxy", s => Decisions(s, key).Any(d => d.Name == "overlay.remote_event" && d["overlay.event.name"] == "ObjectCreated:Put"), Cancellation);
        Assert.Contains(Decisions(spans, key), d => d.Name == "overlay.remote_event" && d["s3.bucket"] == DemoObjects.RemoteBucket);
    }

    /// <summary>Runs after every other test of the class (<see cref="TeardownLast"/>): it stops the app.</summary>
    [Fact]
    public async Task Teardown_leaves_no_process_behind()
    {
        var processes = overlay.ProcessTree();
        Assert.Contains(processes, p => p.CommandLine.Contains("S3Overlay.Proxy.dll serve")); // the stores
        Assert.Contains(processes, p => p.CommandLine.Contains("S3Overlay.Proxy") && !p.CommandLine.Contains(" serve")); // the proxy
        Assert.Contains(processes, p => p.CommandLine.Contains("Aspire.Dashboard"));

        // While the app stops, and until its last process is gone, no process of the app may outlive its
        // parent: the orchestrator runs the proxy under `dotnet run` and kills that after a few seconds,
        // which left a slow-stopping proxy running on its own. (The orchestrator's own processes stop in an order of its own.)
        // Each process's exit is timed from the stop's start, so a failure tells which one held the stop up.
        using var stopped = new CancellationTokenSource();
        var stopping = DateTime.UtcNow;
        var watched = Task.Run(async () =>
        {
            HashSet<RunningProcess> orphans = [];
            Dictionary<RunningProcess, double> goneAfter = [];
            while (!stopped.IsCancellationRequested)
            {
                foreach (var process in processes.Where(p => !goneAfter.ContainsKey(p)))
                    if (RunningProcess.Read(process.Id) is not { } now || now.StartTicks != process.StartTicks)
                        goneAfter[process] = (DateTime.UtcNow - stopping).TotalSeconds;
                    else if (now.ParentId != process.ParentId && !process.CommandLine.Contains("dcp "))
                        orphans.Add(process);
                await Task.Delay(50);
            }
            return (orphans, goneAfter);
        });
        await overlay.StopAsync();
        var stoppedAt = DateTime.UtcNow;

        // The stop asks the orchestrator to clean the resources up and waits for it (DcpPublisher:WaitForResourceCleanup,
        // on in tests and in the AppHost's appsettings.json), and then to stop itself; but Aspire does not promise that
        // the processes are gone when the stop returns: DcpExecutor.StopAsync (Aspire.Hosting 13.6.5, Dcp/DcpExecutor.cs)
        // swallows a cleanup call that failed (logged at Debug only, "Application orchestrator could not be stopped
        // programmatically") or was cancelled, calling that call "just a perf optimization" since the orchestrator cleans up
        // on its own. Seen once in eight fresh-clone runs: the stop returned after 1.5 s (6-8 s otherwise) with the proxy and
        // its `dotnet run` alive. So every process must be gone within a deadline (the orchestrator's SIGTERM, then SIGKILL
        // 6 s later, for `dotnet run` and then the proxy), with no orphan meanwhile; the timeline says which held it up.
        for (var deadline = stoppedAt.AddSeconds(20); processes.Any(p => p.IsAlive) && DateTime.UtcNow < deadline;)
            await Task.Delay(100);
        await Task.Delay(100); // one more look of the watcher
        stopped.Cancel();
        var (orphans, goneAfter) = await watched;
        var timeline = $"the stop returned after {(stoppedAt - stopping).TotalSeconds:0.0} s{(overlay.OrchestratorEnded is { } ended ? $" ({ended})" : "")}; each process went after:{Environment.NewLine}" +
            string.Join(Environment.NewLine, processes.Select(p => $"{(goneAfter.TryGetValue(p, out var s) ? $"{s,5:0.0} s" : "  alive")} {p}")) +
            $"{Environment.NewLine}the orchestrator client logged:{Environment.NewLine}{overlay.OrchestratorLog}";
        TestContext.Current.TestOutputHelper?.WriteLine(timeline);
        Assert.Empty(orphans);
        Assert.True(processes.All(goneAfter.ContainsKey), $"alive 20 s after the app's stop returned: {timeline}");
    }

    /// <summary>The overlay's decision spans for <paramref name="key"/>, in the order they started.</summary>
    private static List<DashboardSpan> Decisions(IReadOnlyList<DashboardSpan> spans, string key) =>
        [.. spans.Where(s => s.Scope == "S3Overlay" && s["s3.key"] == key)];

    /// <summary>The proxy's request spans of one S3 operation on a key of the demo bucket.</summary>
    private static IEnumerable<DashboardSpan> Requests(IReadOnlyList<DashboardSpan> spans, string operation, string key) =>
        spans.Where(s => s["s3.operation"] == operation && s["url.path"] == $"/{DemoObjects.LocalBucket}/{key}");

    /// <summary>The remote's GetObject requests for a key of the demo bucket: the fills that reached it.</summary>
    private static IEnumerable<DashboardSpan> RemoteGets(IReadOnlyList<DashboardSpan> spans, string key) =>
        spans.Where(s => s["s3.operation"] == "GetObject" && s["url.path"] == $"/{DemoObjects.RemoteBucket}/{key}");

    private async Task ReadRangeAsync(string key, long first, int length)
    {
        using var got = await overlay.Proxy.GetObjectAsync(new GetObjectRequest
        {
            BucketName = DemoObjects.LocalBucket, Key = key, ByteRange = new ByteRange(first, first + length - 1),
        }, Cancellation);
        Assert.Equal(HttpStatusCode.PartialContent, got.HttpStatusCode);
        Assert.Equal(Enumerable.Range(0, length).Select(i => PatternStream.ByteAt(first + i)), await ReadAllAsync(got.ResponseStream));
    }

    private static async Task<string> ReadTextAsync(IAmazonS3 s3, string bucket, string key)
    {
        using var got = await s3.GetObjectAsync(bucket, key, Cancellation);
        return Encoding.UTF8.GetString(await ReadAllAsync(got.ResponseStream));
    }

    private static async Task<HttpStatusCode> StatusOfReadAsync(IAmazonS3 s3, string bucket, string key)
    {
        try
        {
            using var got = await s3.GetObjectAsync(bucket, key, Cancellation);
            return got.HttpStatusCode;
        }
        catch (AmazonS3Exception e)
        {
            return e.StatusCode;
        }
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, Cancellation);
        return buffer.ToArray();
    }
}
