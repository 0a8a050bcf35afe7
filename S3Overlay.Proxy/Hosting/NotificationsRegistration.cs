using Microsoft.Extensions.Logging;
using S3Overlay.Configuration;
using S3Overlay.Notifications;
using S3Overlay.Notifications.Delivery;
using S3Overlay.Notifications.Targets;
using S3Overlay.S3.Notifications;
using S3Overlay.Storage;

namespace S3Overlay.Hosting;

internal static class NotificationsRegistration
{
    private const string NotifiedStore = "notified";

    /// <summary>
    /// The configuration handlers always; with a target declared, the outbox, its deliveries, and
    /// the layer that raises events, over every other layer of the store.
    /// </summary>
    /// <returns>The store over <paramref name="inner"/> that raises the events of its writes; <paramref name="inner"/> itself when no target is declared.</returns>
    public static Func<IServiceProvider, IObjectStore> AddNotifications(this WebApplicationBuilder builder, SettingReader read, ServerSettings server,
        Func<IServiceProvider, IObjectStore> inner)
    {
        var services = builder.Services;
        var targets = NotificationTargets.From(read);
        var settings = NotificationSettings.From(read);
        services.AddSingleton(new DeclaredDestinations(targets.All.Select(t => t.Arn).ToHashSet(StringComparer.Ordinal)));
        services.AddSingleton<NotificationHandlers>();
        if (targets.All.Count == 0)
        {
            services.AddSingleton<BucketNotifications>();
            return inner;
        }

        services.AddKeyedSingleton(NotifiedStore, (sp, _) => inner(sp));
        services.AddSingleton(sp => new BucketNotifications(sp.GetRequiredKeyedService<IObjectStore>(NotifiedStore), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(_ => targets);
        services.AddSingleton(settings);
        services.AddSingleton(sp => new NotificationOutbox(server.DataDir, server.Region, settings.OutboxLimit, targets.All.Select(t => t.Arn),
            sp.GetRequiredService<ILogger<NotificationOutbox>>()));
        services.AddHttpContextAccessor();
        services.AddSingleton(sp => new NotifyingObjectStore(sp.GetRequiredKeyedService<IObjectStore>(NotifiedStore),
            sp.GetRequiredService<BucketNotifications>(), sp.GetRequiredService<NotificationOutbox>(),
            sp.GetRequiredService<Microsoft.AspNetCore.Http.IHttpContextAccessor>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<NotificationMetrics>();
        services.AddHostedService<NotificationDelivery>();
        return sp => sp.GetRequiredService<NotifyingObjectStore>();
    }
}
