using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using S3Overlay.Overlay;
using S3Overlay.Overlay.Remote;
using S3Overlay.Storage;
using S3Overlay.Telemetry;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Architecture;

/// <summary>
/// The overlay's wiring stays one a newcomer can follow: the container builds every part from its
/// constructor, and building one starts nothing (the work the overlay begins with is a hosted
/// service's, everything past a request runs through <see cref="BackgroundWork"/>).
/// </summary>
[UnitTests]
public sealed partial class OverlayWiringTests
{
    [Fact]
    public async Task Building_every_part_of_the_overlay_starts_nothing()
    {
        var local = CallCountingStore.Over<IObjectStore>(new InMemoryObjectStore());
        var remote = CallCountingStore.Over<IReadOnlyStore>(new InMemoryObjectStore());
        var clock = new TimerCountingClock();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton(OverlayMetrics.Standalone());
        var before = services.Count;
        services.AddOverlayStore(Settings(), _ => (IObjectStore)local, _ => (IReadOnlyStore)remote, staging: null);
        await using var built = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        // Every service the overlay registers, its hosted services included (built, not started).
        var made = services.Skip(before).Where(d => !d.IsKeyedService).Select(d => d.ServiceType).Distinct()
            .SelectMany(type => built.GetServices(type)).ToList();
        Assert.Contains(made, part => part is OverlayObjectStore);
        Assert.Contains(made, part => part is OverlayStartup);
        await built.GetRequiredService<BackgroundWork>().WhenIdle().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([], local.Calls.Concat(remote.Calls));
        Assert.Equal(0, clock.Timers);
    }

    [Fact]
    public async Task The_overlay_starts_its_work_when_the_host_starts_it()
    {
        var local = CallCountingStore.Over<IObjectStore>(new InMemoryObjectStore());
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(OverlayMetrics.Standalone());
        services.AddOverlayStore(Settings(), _ => (IObjectStore)local, _ => new InMemoryObjectStore(), staging: null);
        await using var built = services.BuildServiceProvider();

        foreach (var hosted in built.GetServices<IHostedService>()) await hosted.StartAsync(CancellationToken.None);
        await built.GetRequiredService<BackgroundWork>().WhenIdle().WaitAsync(TimeSpan.FromSeconds(30));

        // The whiteouts an older layout kept are looked for, and the local keys listed (LocalKeys).
        Assert.Contains(nameof(IObjectStore.ListObjectsAsync), local.Calls);
        Assert.Contains(nameof(IObjectStore.ListBucketsAsync), local.Calls);
    }

    [GeneratedRegex(@"Task\.Run\(|Task\.Factory\.StartNew|new (?:Periodic)?Timer\(|\.CreateTimer\(|new Thread\(|ThreadPool\.")]
    private static partial Regex StartsWork();

    [GeneratedRegex(@"class (\w+)[^{;]*:\s*(?:BackgroundService|IHostedService)\b")]
    private static partial Regex HostedService();

    /// <summary>
    /// A thread, timer or task of the overlay's own is started only by <see cref="BackgroundWork"/>
    /// (which shutdown waits for) or by a hosted service (which the host starts and stops):
    /// anywhere else it would be work nobody waits for, or work a constructor starts.
    /// </summary>
    [Fact]
    public void Only_background_work_and_hosted_services_start_threads_timers_or_tasks()
    {
        var overlay = ProxyTree.SourceFiles().Where(f => f.StartsWith("Overlay/", StringComparison.Ordinal));
        var starting = overlay.Where(f => StartsWork().IsMatch(File.ReadAllText(Path.Combine(ProxyTree.Root, f))))
            .Where(f => f != "Overlay/BackgroundWork.cs" && !HostedService().IsMatch(File.ReadAllText(Path.Combine(ProxyTree.Root, f))));
        Assert.Equal([], starting);
    }

    /// <summary>The face decides which part answers; each concern's logic is in its part.</summary>
    [Fact]
    public void The_face_of_the_overlay_is_a_thin_coordinator_under_400_lines()
    {
        var face = ProxyTree.SourceFiles()
            .Where(f => Regex.IsMatch(File.ReadAllText(Path.Combine(ProxyTree.Root, f)), @"\bclass OverlayObjectStore\b")).ToList();
        Assert.NotEmpty(face);
        var lines = face.Sum(f => File.ReadAllLines(Path.Combine(ProxyTree.Root, f)).Length);
        Assert.True(lines < 400, $"OverlayObjectStore is {lines} lines in {string.Join(", ", face)}: move a concern's logic to its part");
    }

    private static OverlaySettings Settings() =>
        new(BucketMapping.Identity, CacheEnabled: true, ChunkThreshold: 4 * 1024 * 1024, ChunkSize: 1024 * 1024, "s3-overlay-cache",
            NegativeLookupTtl: TimeSpan.FromSeconds(30), RevalidateAfter: null, SpillDirectory: Path.Combine(Path.GetTempPath(), "s3overlay-test-spill"));

    /// <summary>A clock that counts the timers made of it.</summary>
    private sealed class TimerCountingClock : TimeProvider
    {
        private int _timers;

        public int Timers => Volatile.Read(ref _timers);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _timers);
            return base.CreateTimer(callback, state, dueTime, period);
        }
    }
}
