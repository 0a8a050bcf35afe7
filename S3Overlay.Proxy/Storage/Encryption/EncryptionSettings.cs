using S3Overlay.Configuration;
using S3Overlay.Configuration.Catalog;

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
