using S3Overlay.Configuration;
using S3Overlay.Configuration.Catalog;

namespace S3Overlay.Hosting.Tls;

/// <summary>
/// HTTPS from PEM files: <c>S3_OVERLAY_TLS_CERT</c> (the certificate, its chain after it) and
/// <c>S3_OVERLAY_TLS_KEY</c> (its private key; may be left out when the certificate file holds it).
/// With them the default address is <c>https://127.0.0.1:8000</c>; every address given must then
/// be https, so a certificate is never configured and silently left unused.
/// </summary>
internal sealed record TlsSettings(string CertificatePath, string? KeyPath)
{
    /// <returns>The settings, or null when no certificate is configured (plain HTTP).</returns>
    public static TlsSettings? From(SettingReader read)
    {
        var cert = ServerCatalog.TlsCert.Read(read);
        var key = ServerCatalog.TlsKey.Read(read);
        if (cert is null)
            return key is null ? null : throw ServerCatalog.TlsKey.Invalid($"a key needs its certificate: set {ServerCatalog.TlsCert} too");
        var settings = new TlsSettings(Path.GetFullPath(cert), key is null ? null : Path.GetFullPath(key));
        // Read now, so a wrong path or a file that is no PEM certificate stops start-up naming its setting.
        CertificateFile.Load(settings);
        return settings;
    }
}
