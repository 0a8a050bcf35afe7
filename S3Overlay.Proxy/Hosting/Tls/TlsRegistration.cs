using Microsoft.Extensions.Configuration;
using S3Overlay.Configuration;

namespace S3Overlay.Hosting.Tls;

internal static class TlsRegistration
{
    /// <summary>
    /// Serves HTTPS with the configured PEM files, and checks the addresses against them: a
    /// certificate with no https address to use it, or an https address with no certificate, stops
    /// start-up naming the setting (Kestrel's own words for the second speak of a developer certificate).
    /// </summary>
    /// <returns>Whether the server has a certificate (its default address is then https).</returns>
    public static bool AddTls(this WebApplicationBuilder builder)
    {
        var tls = TlsSettings.From(new SettingReader(builder.Configuration));
        var addresses = ListenAddresses.Configured(builder.Configuration).ToList();
        var https = addresses.Where(a => a.StartsWith("https://", StringComparison.OrdinalIgnoreCase)).ToList();
        if (tls is null)
        {
            if (https.Count > 0 && !builder.Configuration.GetSection("Kestrel:Certificates:Default").Exists())
                throw Configuration.Catalog.ServerCatalog.TlsCert.Invalid(
                    $"the server would listen on {https[0]} without a certificate: set it (and {Configuration.Catalog.ServerCatalog.TlsKey}) to PEM files");
            return false;
        }
        if (addresses.Count > 0 && https.Count == 0)
            throw Configuration.Catalog.ServerCatalog.TlsCert.Invalid(
                $"a certificate is set but no address is https:// ({string.Join(", ", addresses)}): listen on https://… to use it");

        var loaded = CertificateFile.Load(tls);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(options =>
        {
            var services = kestrel.ApplicationServices;
            var file = new CertificateFile(tls, loaded, services.GetRequiredService<TimeProvider>(),
                services.GetRequiredService<ILoggerFactory>().CreateLogger<CertificateFile>());
            options.ServerCertificate = loaded.TargetCertificate;
            // Called for every handshake after Kestrel's own settings: the file's certificate as it is now.
            options.OnAuthenticate = (_, ssl) => ssl.ServerCertificateContext = file.Current;
        }));
        return true;
    }
}
