using S3Overlay.Configuration;
using S3Overlay.Storage;
using S3Overlay.Storage.Encryption;

namespace S3Overlay.Hosting;

internal static class EncryptionRegistration
{
    /// <summary>
    /// Wraps the local store in the encryption layer, beneath the overlay, so whatever reaches the
    /// local store, the overlay's fills included, passes through it. Over a store that takes staged
    /// files, the layer does too (<see cref="EncryptedStaging"/>), and measures unsized bodies on
    /// that store's disk.
    /// </summary>
    public static StoreLink AddEncryptionAtRest(this WebApplicationBuilder builder, SettingReader read, StoreLink local)
    {
        var settings = EncryptionSettings.From(read);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(sp => new EncryptedObjectStore(local.Get(sp), settings.MasterKey, sp.GetRequiredService<TimeProvider>(),
            local.Staging is { } beneath ? beneath(sp).NewStagingPath : EncryptedObjectStore.NewSystemTempPath));
        if (local.Staging is not { } staging) return new StoreLink(sp => sp.GetRequiredService<EncryptedObjectStore>(), Staging: null);
        builder.Services.AddSingleton(sp => new EncryptedStaging(staging(sp), sp.GetRequiredService<EncryptedObjectStore>()));
        return new StoreLink(sp => sp.GetRequiredService<EncryptedObjectStore>(), Staging: sp => sp.GetRequiredService<EncryptedStaging>());
    }
}
