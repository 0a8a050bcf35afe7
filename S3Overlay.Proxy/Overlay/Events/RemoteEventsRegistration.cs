namespace S3Overlay.Overlay.Events;

/// <summary>Registers what follows the remote's change events, when they are on (a token for HTTP, or an AMQP broker) and there is an overlay.</summary>
internal static class RemoteEventsRegistration
{
    public static IServiceCollection AddRemoteEvents(this IServiceCollection services, RemoteEventSettings settings)
    {
        services.AddSingleton(settings);
        if (!settings.On) return services;
        services.AddSingleton<EventStatistics>();
        services.AddSingleton<RemoteEventApplier>();
        services.AddSingleton<RemoteReconcile>();
        services.AddSingleton<StartupReconcile>();
        services.AddHostedService(sp => sp.GetRequiredService<StartupReconcile>());
        // Certificates and subscription confirmations are fetched from SNS (or where the operator trusts instead).
        services.AddSingleton(sp => new SnsSignatures(new HttpClient { Timeout = TimeSpan.FromSeconds(10) }, settings.SnsCertificateUrl, sp.GetRequiredService<TimeProvider>()));
        // A fleet's replica passes what it takes on to the others (with the token: over HTTP only).
        if (services.Any(d => d.ServiceType == typeof(Fleet.PeerSet))) services.AddSingleton<EventPeers>();
        services.AddSingleton<RemoteEventInbox>();
        if (settings.Amqp is { } amqp)
        {
            services.AddSingleton(sp => new AmqpEventConsumer(amqp, sp.GetRequiredService<RemoteEventInbox>(), sp.GetRequiredService<StartupReconcile>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<AmqpEventConsumer>>()));
            services.AddHostedService(sp => sp.GetRequiredService<AmqpEventConsumer>());
        }
        return services;
    }
}
