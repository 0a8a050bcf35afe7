using S3Overlay.Configuration;
using S3Overlay.Storage;
using S3Overlay.Storage.Hidden;

namespace S3Overlay.Hosting;

internal static class HiddenRegistration
{
    /// <summary>
    /// Reads the hidden buckets and prefixes and, when there are any, wraps <paramref name="inner"/>
    /// (the overlay, or the local store) so every consumer sees through the same filter.
    /// </summary>
    /// <param name="buckets">Configured buckets flagged Hidden, or not Browseable (key-only), join <c>S3_OVERLAY_HIDDEN_BUCKETS</c>.</param>
    public static Func<IServiceProvider, IObjectStore> AddHiddenObjects(this WebApplicationBuilder builder, SettingReader read, Buckets.BucketTargets buckets,
        Func<IServiceProvider, IObjectStore> inner)
    {
        var hidden = HiddenNamespace.From(read);
        if (buckets.All.Any(b => b.Hidden || !b.Browseable))
            hidden = hidden with { Buckets = hidden.Buckets.Union(buckets.All.Where(b => b.Hidden || !b.Browseable).Select(b => b.Name)).ToHashSet(StringComparer.Ordinal) };
        var services = builder.Services;
        services.AddSingleton(hidden);
        if (hidden.IsEmpty) return inner;
        services.AddSingleton(sp => new HiddenObjectsStore(inner(sp), hidden));
        return sp => sp.GetRequiredService<HiddenObjectsStore>();
    }
}
