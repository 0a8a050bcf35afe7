namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// Removes multipart uploads nobody completed or aborted (and temp files a crash left behind)
/// once they are older than <c>S3_OVERLAY_MULTIPART_MAX_AGE</c>: at start-up, then every quarter
/// of that age (between a minute and an hour).
/// </summary>
internal sealed class AbandonedUploadCleaner(FileSystemObjectStore store, TimeProvider clock, ILogger<AbandonedUploadCleaner> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromTicks(Math.Clamp(store.Options.MaxUploadAge.Ticks / 4, TimeSpan.TicksPerMinute, TimeSpan.TicksPerHour));
        using var timer = new PeriodicTimer(interval, clock);
        do
        {
            try
            {
                var removed = await store.RemoveAbandonedUploadsAsync(stoppingToken);
                if (removed > 0) log.LogInformation("Removed {Count} abandoned multipart uploads", removed);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                log.LogWarning(e, "Could not remove abandoned multipart uploads");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
