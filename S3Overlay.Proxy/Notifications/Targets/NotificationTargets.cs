using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using S3Overlay.Configuration;
using S3Overlay.Configuration.Catalog;
using S3Overlay.S3.Notifications;

namespace S3Overlay.Notifications.Targets;

/// <summary>The targets the settings declare, by ARN: what a bucket's configuration may name.</summary>
internal sealed class NotificationTargets(IReadOnlyList<INotificationTarget> targets) : IAsyncDisposable
{
    public IReadOnlyList<INotificationTarget> All => targets;

    public bool Has(string arn) => targets.Any(t => t.Arn == arn);

    public static NotificationTargets From(SettingReader read)
    {
        var targets = new List<INotificationTarget>();
        foreach (var id in NotificationCatalog.WebhookEndpoint.Ids(read))
        {
            if (!Enabled(read, NotificationCatalog.WebhookEnable, id)) continue;
            var text = NotificationCatalog.WebhookEndpoint.Read(read, id)!;
            if (!Uri.TryCreate(text, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
                throw NotificationCatalog.WebhookEndpoint.Invalid(id, $"'{text}' is not an http:// or https:// URL");
            targets.Add(new WebhookTarget(NotificationArn.Of(id, "webhook"), endpoint, NotificationCatalog.WebhookAuthToken.Read(read, id),
                Handler(read, id)));
        }
        return new NotificationTargets(targets);
    }

    /// <summary>As MinIO's <c>ENABLE</c>: on unless turned off.</summary>
    private static bool Enabled(SettingReader read, TargetSetting enable, string id) =>
        enable.Read(read, id)?.ToLowerInvariant() switch
        {
            "on" or "true" or "1" or "yes" => true,
            "off" or "false" or "0" or "no" => false,
            var other => throw enable.Invalid(id, $"'{other}' is not on or off"),
        };

    /// <summary>The webhook's connections; with a CA file, a certificate may chain to those CAs as well as the system's.</summary>
    private static SocketsHttpHandler Handler(SettingReader read, string id)
    {
        var handler = new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1), ConnectTimeout = TimeSpan.FromSeconds(10) };
        if (NotificationCatalog.WebhookCa.Read(read, id) is not { } caFile) return handler;
        var authorities = new X509Certificate2Collection();
        try { authorities.ImportFromPemFile(caFile); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw NotificationCatalog.WebhookCa.Invalid(id, e.Message);
        }
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (errors == SslPolicyErrors.None) return true;
            if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(certificate));
        };
        return handler;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var target in targets) await target.DisposeAsync();
    }
}
