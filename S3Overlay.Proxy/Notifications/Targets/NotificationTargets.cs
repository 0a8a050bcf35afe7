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

    public static NotificationTargets From(SettingReader read) => new([.. Webhooks(read), .. AmqpTargets(read)]);

    private static IEnumerable<INotificationTarget> Webhooks(SettingReader read)
    {
        foreach (var id in NotificationCatalog.WebhookEndpoint.Ids(read))
        {
            if (!OnOff(read, NotificationCatalog.WebhookEnable, id)) continue;
            var endpoint = Url(read, NotificationCatalog.WebhookEndpoint, id, "http", "https");
            yield return new WebhookTarget(NotificationArn.Of(id, "webhook"), endpoint, NotificationCatalog.WebhookAuthToken.Read(read, id), Handler(read, id));
        }
    }

    private static IEnumerable<INotificationTarget> AmqpTargets(SettingReader read)
    {
        foreach (var id in NotificationCatalog.AmqpUrl.Ids(read))
        {
            if (!OnOff(read, NotificationCatalog.AmqpEnable, id)) continue;
            var mode = NotificationCatalog.AmqpDeliveryMode.Read(read, id);
            if (mode is not ("1" or "2")) throw NotificationCatalog.AmqpDeliveryMode.Invalid(id, $"'{mode}' is not 1 or 2");
            var type = NotificationCatalog.AmqpExchangeType.Read(read, id)!;
            if (type is not ("direct" or "fanout" or "topic" or "headers")) throw NotificationCatalog.AmqpExchangeType.Invalid(id, $"'{type}' is not direct, fanout, topic or headers");
            yield return new AmqpTarget(NotificationArn.Of(id, "amqp"), new AmqpTargetOptions(
                Url(read, NotificationCatalog.AmqpUrl, id, "amqp", "amqps"), NotificationCatalog.AmqpExchange.Read(read, id)!, type,
                NotificationCatalog.AmqpRoutingKey.Read(read, id)!, Persistent: mode == "2",
                Durable: OnOff(read, NotificationCatalog.AmqpDurable, id), Mandatory: OnOff(read, NotificationCatalog.AmqpMandatory, id)));
        }
    }

    private static Uri Url(SettingReader read, TargetSetting setting, string id, params string[] schemes)
    {
        var text = setting.Read(read, id)!;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || !schemes.Contains(url.Scheme))
            throw setting.Invalid(id, $"'{text}' is not a {string.Join(" or ", schemes.Select(s => s + "://"))} URL");
        return url;
    }

    /// <summary>A switch as MinIO writes them: <c>on</c> or <c>off</c> (true/false, 1/0, yes/no too).</summary>
    private static bool OnOff(SettingReader read, TargetSetting setting, string id) =>
        setting.Read(read, id)?.ToLowerInvariant() switch
        {
            "on" or "true" or "1" or "yes" => true,
            "off" or "false" or "0" or "no" => false,
            var other => throw setting.Invalid(id, $"'{other}' is not on or off"),
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
