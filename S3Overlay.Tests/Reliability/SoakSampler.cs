using System.Collections.Concurrent;
using System.Diagnostics;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Reliability;

/// <summary>
/// What a long load run samples of the proxy every <see cref="Interval"/>: resident memory, the
/// managed heap as the last collection left it and the memory the GC holds committed (read from
/// the proxy's own Prometheus metrics, so resident memory that grows can be told apart: objects
/// kept alive show in the heap, a GC that keeps freed memory shows only in what it commits), at
/// the checkpoints the bytes alive after a full compacting collection (asked of the heap probe the
/// proxy was started with, <c>S3Overlay.HeapProbe</c>), file descriptors, threads, temp and spill
/// files on disk, and the latency percentiles and rate of the operations that ended in that
/// interval. <see cref="SoakVerdict"/> judges them.
/// </summary>
/// <param name="minutes">How long the load runs: the last checkpoint is the minute before it ends, still under load.</param>
/// <param name="probeSocket">The heap probe's Unix socket in the proxy.</param>
public sealed class SoakSampler(ProxyProcess proxy, string dataDir, string spillDir, int minutes, string probeSocket)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentQueue<double> _latencies = new();

    private static readonly HttpClient Scraper = new() { Timeout = TimeSpan.FromSeconds(30) };

    public List<SoakSample> Samples { get; } = [];

    /// <summary>
    /// Whether the sample at <paramref name="minute"/> counts what is alive: the first after the
    /// warm-up, every tenth, and the last one the load still runs through. Not every minute: a full
    /// compacting collection pauses the proxy, which shows in that minute's latency, and it empties
    /// gen 2, which the managed heap column would then no longer show filling up as it does
    /// unforced. The heap column drops after each checkpoint for that reason.
    /// </summary>
    public static bool IsCheckpoint(int minute, int minutes) =>
        minute < minutes && (minute == 3 || minute == minutes - 1 || minute % 10 == 0);

    /// <summary>Called by every operation as it ends.</summary>
    public void Record(TimeSpan latency) => _latencies.Enqueue(latency.TotalMilliseconds);

    /// <summary>Samples until <paramref name="stop"/>: one row per interval.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var window = new List<double>();
                while (_latencies.TryDequeue(out var ms)) window.Add(ms);
                window.Sort();
                var (rss, gc) = (proxy.RssMiB, await GcFiguresAsync(stop));
                var live = IsCheckpoint(Samples.Count + 1, minutes) ? await LiveAsync(stop) : default((double, double)?);
                Samples.Add(new SoakSample((int)Math.Round(clock.Elapsed.TotalMinutes), rss, gc.HeapMiB, live?.Item1, live?.Item2, gc.CommittedMiB, gc.Gen2, proxy.OpenFileDescriptors, proxy.Threads,
                    TempFiles(), Percentile(window, 0.50), Percentile(window, 0.99), window.Count / Interval.TotalSeconds));
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>
    /// The managed heap after the last collection (all generations, the large and pinned object
    /// heaps included), what the GC holds committed, and how many gen 2 collections ran: the
    /// runtime's own figures as the proxy's metrics export them (S3_OVERLAY_METRICS=true).
    /// </summary>
    private async Task<(double HeapMiB, double CommittedMiB, long Gen2)> GcFiguresAsync(CancellationToken ct)
    {
        var text = await Scraper.GetStringAsync($"{proxy.Url}/_overlay/metrics", ct);
        double heap = 0, committed = 0;
        long gen2 = 0;
        foreach (var line in text.Split('\n'))
        {
            var space = line.LastIndexOf(' ');
            if (line.StartsWith('#') || space < 0) continue;
            var value = double.Parse(line[(space + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            if (line.StartsWith("dotnet_gc_last_collection_heap_size_bytes{")) heap += value;
            else if (line.StartsWith("dotnet_gc_last_collection_memory_committed_size_bytes{")) committed = value;
            else if (line.StartsWith("dotnet_gc_collections_total{") && line.Contains("gc_heap_generation=\"gen2\"")) gen2 = (long)value;
        }
        return (heap / 1048576, committed / 1048576, gen2);
    }

    /// <summary>
    /// The least of three full collections two seconds apart, in MiB, and the longest pause they
    /// cost: each also counts what the clients had in flight at its instant, and what is always
    /// held is the least.
    /// </summary>
    private async Task<(double, double)> LiveAsync(CancellationToken ct)
    {
        var (least, pause) = (long.MaxValue, 0.0);
        for (var i = 0; i < 3; i++)
        {
            if (i > 0) await Task.Delay(TimeSpan.FromSeconds(2), ct);
            var (live, ms) = await S3Overlay.HeapProbe.LiveHeapProbe.AskAsync(probeSocket, ct);
            (least, pause) = (Math.Min(least, live), Math.Max(pause, ms));
        }
        return (least / 1048576.0, pause);
    }

    /// <summary>Files being written (the store's temp folder) and fills' spill files: a leak of either grows.</summary>
    private int TempFiles() =>
        Count(Path.Combine(dataDir, ".s3overlay", "tmp")) + Count(spillDir);

    private static int Count(string dir) => Directory.Exists(dir) ? Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Length : 0;

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    /// <summary>The samples as markdown rows (reliability/run.sh --soak writes them into reliability/README.md).</summary>
    public IEnumerable<string> Rows() => Samples.Select(s =>
        $"| {s.Minute} | {s.RssMiB:0} | {s.HeapMiB:0} | {s.LiveMiB:0.0} | {s.CommittedMiB:0} | {s.Gen2Collections} | {s.Fds} | {s.Threads} | {s.TempFiles} | {s.P50Ms:0.0} | {s.P99Ms:0.0} | {s.OpsPerSecond:0} |");
}
