using S3Overlay.Configuration;
using S3Overlay.Storage;
using S3Overlay.Storage.Encryption;

namespace S3Overlay.Hosting;

internal static class EncryptionRegistration
{
    /// <summary>
    /// Wraps the local store in the encryption layer, beneath the overlay, so whatever reaches the
    /// local store, the overlay's fills included, passes through it; a store that takes staged
    /// files keeps doing so through it.
    /// </summary>
    public static Func<IServiceProvider, IObjectStore> AddEncryptionAtRest(this WebApplicationBuilder builder, SettingReader read, LocalStore local)
    {
        var settings = EncryptionSettings.From(read);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(sp =>
        {
            var clock = sp.GetRequiredService<TimeProvider>();
            return local.Staging
                ? new EncryptedStagingStore(local.Get(sp), settings.MasterKey, clock)
                : new EncryptedObjectStore(local.Get(sp), settings.MasterKey, clock);
        });
        return sp => sp.GetRequiredService<EncryptedObjectStore>();
    }
}
