using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using S3Overlay.Configuration;

namespace S3Overlay.Hosting.Tls;

/// <summary>
/// The server's certificate as its PEM files hold it now: a renewed certificate (certbot, an ACME
/// client, a Kubernetes secret) is served from the next handshake on, without a restart. The files
/// are looked at no more than every <see cref="CheckEvery"/>; a renewal that cannot be read keeps
/// the last good certificate and says why in the log.
/// </summary>
internal sealed class CertificateFile(TlsSettings settings, SslStreamCertificateContext loaded, TimeProvider clock, ILogger log)
{
    public static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private SslStreamCertificateContext _current = loaded;
    private (DateTime Cert, DateTime Key) _written = WrittenAt(settings);
    private long _checkedAt = clock.GetUtcNow().UtcTicks;

    public SslStreamCertificateContext Current
    {
        get
        {
            if (clock.GetUtcNow().UtcTicks - Volatile.Read(ref _checkedAt) >= CheckEvery.Ticks) Refresh();
            return Volatile.Read(ref _current);
        }
    }

    private void Refresh()
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow().UtcTicks;
            if (now - _checkedAt < CheckEvery.Ticks) return;
            Volatile.Write(ref _checkedAt, now);
            var written = WrittenAt(settings);
            if (written == _written) return;
            try
            {
                Volatile.Write(ref _current, Load(settings));
                _written = written;
                log.LogInformation("Serving the renewed certificate {Subject} from {Path}", _current.TargetCertificate.Subject, settings.CertificatePath);
            }
            catch (SettingException e)
            {
                // A half-written renewal is read again at the next check; until then the old one serves.
                log.LogWarning("Keeping the current certificate: {Problem}", e.Message);
            }
        }
    }

    /// <summary>The certificate with the key and the chain its PEM file lists after it (intermediates a client needs).</summary>
    public static SslStreamCertificateContext Load(TlsSettings settings)
    {
        X509Certificate2 leaf;
        var chain = new X509Certificate2Collection();
        try
        {
            leaf = X509Certificate2.CreateFromPemFile(settings.CertificatePath, settings.KeyPath);
            chain.ImportFromPemFile(settings.CertificatePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            var setting = settings.KeyPath is not null && e is CryptographicException ? Configuration.Catalog.ServerCatalog.TlsKey.Name : Configuration.Catalog.ServerCatalog.TlsCert.Name;
            throw new SettingException(setting, $"no certificate with its private key could be read from {Describe(settings)} ({e.Message})");
        }
        // The first certificate of the file is the server's own; the rest is its chain.
        var intermediates = new X509Certificate2Collection(chain.Skip(1).ToArray());
        return SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
    }

    private static string Describe(TlsSettings settings) =>
        settings.KeyPath is null ? settings.CertificatePath : $"{settings.CertificatePath} and {settings.KeyPath}";

    private static (DateTime, DateTime) WrittenAt(TlsSettings settings) =>
        (File.GetLastWriteTimeUtc(settings.CertificatePath), settings.KeyPath is null ? default : File.GetLastWriteTimeUtc(settings.KeyPath));
}
