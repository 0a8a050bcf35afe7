using S3Overlay.Configuration;
using S3Overlay.Configuration.Catalog;
using S3Overlay.Hosting;

namespace S3Overlay.Storage.Encryption;

/// <summary>The encryption setting: <c>S3_OVERLAY_KMS_SECRET_KEY</c>, the master key of SSE-S3; without it SSE-S3 is refused (501) and SSE-C still works.</summary>
internal sealed record EncryptionSettings(MasterKey? MasterKey)
{
    public static EncryptionSettings From(SettingReader read)
    {
        if (AccessCatalog.KmsSecretKey.Read(read) is not { Length: > 0 } value) return new EncryptionSettings((MasterKey?)null);
        try { return new EncryptionSettings(MasterKey.Parse(value.Trim())); }
        catch (FormatException e) { throw AccessCatalog.KmsSecretKey.Invalid(e.Message); }
    }
}

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
