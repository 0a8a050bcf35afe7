using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using S3Overlay.Notifications.Targets;

namespace S3Overlay.Notifications.Delivery;

/// <summary>
/// Runs one delivery per declared target in the background, from the start of the server to its
/// stop. What is undelivered at a stop stays in the outbox and goes at the next start.
/// </summary>
internal sealed class NotificationDelivery(NotificationTargets targets, NotificationOutbox outbox, NotificationSettings settings, NotificationMetrics metrics, ILogger<NotificationDelivery> logger)
    : BackgroundService
{
    private List<TargetDelivery> _deliveries = [];

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // The instruments exist from the start (a scrape before any event shows every target at 0).
        _ = metrics;
        // Counted before the server listens, so every event a write adds is counted on top.
        _deliveries = [.. targets.All.Select(t => new TargetDelivery(t, outbox, settings.RetryMaxDelay, logger))];
        foreach (var delivery in _deliveries) delivery.Open();
        return base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_deliveries.Select(d => Task.Run(() => d.RunAsync(stoppingToken), CancellationToken.None)));

    public override void Dispose()
    {
        foreach (var delivery in _deliveries) delivery.Dispose();
        base.Dispose();
    }
}
