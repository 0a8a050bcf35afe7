using S3Overlay.S3.Acl;
using S3Overlay.Storage.Errors;
using S3Overlay.S3.Lifecycle;

namespace S3Overlay.Lifecycle;

/// <summary>
/// Applies the buckets' lifecycle rules: a scan every <c>S3_OVERLAY_LIFECYCLE_INTERVAL</c>, the
/// first one that long after start-up but at most a minute. What has fallen due by a scan (an age
/// or a date passed) is applied by it. The first scan waits because it reads every bucket's
/// settings, a request each with an S3 local store, which start-up (a fleet restarting together)
/// does not need on top of its own. In a fleet each bucket is scanned by one replica, its owner among the live ones;
/// every replica still reads every bucket's rules, for <c>x-amz-expiration</c>.
/// </summary>
internal sealed class LifecycleScanner(LifecycleStores stores, BucketLifecycles lifecycles, LifecycleSettings settings, LifecycleProgress progress,
    TimeProvider clock, ILogger<LifecycleScanner> log, Overlay.Fleet.PeerSet? peers = null) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.Interval <= TimeSpan.Zero) return;
        await Task.Delay(settings.Interval < FirstScanAfter ? settings.Interval : FirstScanAfter, clock, stoppingToken);
        using var timer = new PeriodicTimer(settings.Interval, clock);
        do
        {
            try
            {
                await ScanAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogWarning(e, "Lifecycle scan failed; the next one tries again");
                progress.Finish(clock.GetUtcNow());
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                return; // the host stops: what the cut-off scan's request in flight threw is no failure
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass over every bucket of the local store.</summary>
    public async Task ScanAsync(CancellationToken ct)
    {
        var generation = lifecycles.Generation;
        var buckets = await stores.Local.ListBucketsAsync(ct);
        progress.Start(clock.GetUtcNow(), buckets.Count);
        var scan = new BucketScan(stores, settings.Days, progress, log);
        foreach (var bucket in buckets)
        {
            var failed = false;
            try
            {
                var configuration = LifecycleXml.FromText(await stores.Local.GetBucketSettingAsync(bucket.Name, BucketSettings.Lifecycle, ct));
                lifecycles.Learn(bucket.Name, configuration, generation);
                if (configuration is not null && Owns(bucket.Name)) await scan.RunAsync(bucket.Name, configuration, clock.GetUtcNow(), ct);
            }
            catch (StorageException e) when (e.Fault == StorageFault.BucketNotFound)
            {
                // Deleted while the scan went on.
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                failed = true;
                log.LogWarning(e, "Lifecycle scan of bucket {Bucket} failed; the next scan tries again", bucket.Name);
            }
            progress.BucketDone(failed);
        }
        lifecycles.KeepOnly(buckets.Select(b => b.Name).ToHashSet(StringComparer.Ordinal), generation);
        if (progress.Finish(clock.GetUtcNow()) is { } done && (done.ObjectsExpired > 0 || done.UploadsAborted > 0 || done.Failures > 0))
            log.LogInformation("Lifecycle scan: {Expired} objects expired, {Aborted} uploads aborted, {Failures} buckets failed, of {Examined} objects in {Buckets} buckets",
                done.ObjectsExpired, done.UploadsAborted, done.Failures, done.ObjectsExamined, done.Buckets);
    }

    public static readonly TimeSpan FirstScanAfter = TimeSpan.FromMinutes(1);

    private bool Owns(string bucket) => peers is null || peers.OwnerOf("lifecycle/" + bucket).IsSelf;
}
