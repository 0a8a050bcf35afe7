using S3Overlay.Configuration;
using S3Overlay.Storage;
using S3Overlay.Storage.Encryption;

namespace S3Overlay.Hosting;

internal static class EncryptionRegistration
{
    /// <summary>
    /// Wraps the local store (registered just before) in the encryption layer, beneath the overlay,
    /// so whatever reaches the local store, the overlay's fills included, passes through it.
    /// </summary>
    public static void AddEncryptionAtRest(this WebApplicationBuilder builder, SettingReader read)
    {
        var settings = EncryptionSettings.From(read);
        builder.Services.AddSingleton(settings);
        var inner = builder.Services.TakeObjectStore();
        builder.Services.AddSingleton<IObjectStore>(sp =>
        {
            var store = inner(sp);
            var clock = sp.GetRequiredService<TimeProvider>();
            return store is IStagingStore
                ? new EncryptedStagingStore(store, settings.MasterKey, clock)
                : new EncryptedObjectStore(store, settings.MasterKey, clock);
        });
    }
}
