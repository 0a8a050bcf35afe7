using S3Overlay.Configuration;
using S3Overlay.Hosting;

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
        var inner = services.TakeObjectStore();
        services.AddSingleton<IObjectStore>(sp => new HiddenObjectsStore(inner(sp), hidden));
    }
}
