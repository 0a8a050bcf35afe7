using S3Overlay.Configuration;
using S3Overlay.S3.Lifecycle;
using S3Overlay.Storage;

namespace S3Overlay.Lifecycle;

internal static class LifecycleRegistration
{
    /// <summary>The buckets' rules as the front end tells them, and the scanner that applies them to the local store.</summary>
    public static void AddLifecycle(this WebApplicationBuilder builder, SettingReader read)
    {
        var settings = LifecycleSettings.From(read);
        var services = builder.Services;
        services.AddSingleton(settings);
        services.AddSingleton(new BucketLifecycles(settings.Days));
        services.AddSingleton<LifecycleProgress>();
        services.AddSingleton(sp => new LifecycleStores(
            sp.GetKeyedService<IObjectStore>(Overlay.OverlayServices.LocalStore) ?? sp.GetRequiredService<IObjectStore>(), sp.GetRequiredService<IObjectStore>()));
        services.AddSingleton<LifecycleScanner>();
        services.AddHostedService(sp => sp.GetRequiredService<LifecycleScanner>());
    }
}
