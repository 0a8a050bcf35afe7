using Microsoft.Extensions.Logging;
using S3Overlay.Configuration;
using S3Overlay.Hosting;
using S3Overlay.Notifications.Delivery;
using S3Overlay.Notifications.Targets;
using S3Overlay.S3.Notifications;
using S3Overlay.Storage;

namespace S3Overlay.Notifications;

internal static class NotificationsRegistration
{
    private const string NotifiedStore = "notified";

    /// <summary>
    /// The configuration handlers always; with a target declared, the outbox, its deliveries, and
    /// the layer that raises events, over every other layer of the store.
    /// </summary>
    public static void AddNotifications(this WebApplicationBuilder builder, SettingReader read, ServerSettings server)
    {
        var services = builder.Services;
        var targets = NotificationTargets.From(read);
        var settings = NotificationSettings.From(read);
        services.AddSingleton(new DeclaredDestinations(targets.All.Select(t => t.Arn).ToHashSet(StringComparer.Ordinal)));
        services.AddSingleton<NotificationHandlers>();
        if (targets.All.Count == 0)
        {
            services.AddSingleton<BucketNotifications>();
            return;
        }

        var notified = services.TakeObjectStore();
        services.AddKeyedSingleton(NotifiedStore, (sp, _) => notified(sp));
        services.AddSingleton(sp => new BucketNotifications(sp.GetRequiredKeyedService<IObjectStore>(NotifiedStore), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(_ => targets);
        services.AddSingleton(settings);
        services.AddSingleton(sp => new NotificationOutbox(server.DataDir, server.Region, settings.OutboxLimit, targets.All.Select(t => t.Arn),
            sp.GetRequiredService<ILogger<NotificationOutbox>>()));
        services.AddHttpContextAccessor();
        services.AddSingleton<IObjectStore>(sp => new NotifyingObjectStore(sp.GetRequiredKeyedService<IObjectStore>(NotifiedStore),
            sp.GetRequiredService<BucketNotifications>(), sp.GetRequiredService<NotificationOutbox>(),
            sp.GetRequiredService<Microsoft.AspNetCore.Http.IHttpContextAccessor>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<NotificationMetrics>();
        services.AddHostedService<NotificationDelivery>();
    }
}
