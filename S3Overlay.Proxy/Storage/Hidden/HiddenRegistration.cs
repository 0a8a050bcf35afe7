using S3Overlay.Configuration;

namespace S3Overlay.Storage.Hidden;

public static class HiddenRegistration
{
    /// <summary>
    /// Reads the hidden buckets and prefixes and, when there are any, wraps whichever store was
    /// registered last (file system, S3, overlay) so every consumer sees through the same filter.
    /// </summary>
    public static void AddHiddenObjects(this WebApplicationBuilder builder, SettingReader read)
    {
        var hidden = HiddenNamespace.From(read);
        var services = builder.Services;
        services.AddSingleton(hidden);
        if (hidden.IsEmpty) return;
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IObjectStore))
            ?? throw new InvalidOperationException("Register the object store before hiding parts of it.");
        services.RemoveAll<IObjectStore>();
        services.AddSingleton<IObjectStore>(sp => new HiddenObjectsStore(Create(sp, registered), hidden));
    }

    private static IObjectStore Create(IServiceProvider sp, ServiceDescriptor registered) =>
        (IObjectStore)(registered.ImplementationInstance
            ?? registered.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!));
}
