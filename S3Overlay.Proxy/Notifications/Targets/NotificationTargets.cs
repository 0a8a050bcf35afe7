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

    public static NotificationTargets From(SettingReader read) =>
        new([.. Webhooks(read), .. AmqpTargets(read), .. NatsTargets(read), .. RedisTargets(read), .. MqttTargets(read), .. PostgresTargets(read)]);

    private static IEnumerable<INotificationTarget> NatsTargets(SettingReader read)
    {
        foreach (var id in NotificationCatalog.NatsAddress.Ids(read))
        {
            if (!OnOff(read, NotificationCatalog.NatsEnable, id)) continue;
            var address = NotificationCatalog.NatsAddress.Read(read, id)!;
            var options = NATS.Client.Core.NatsOpts.Default with
            {
                Url = address.Contains("://", StringComparison.Ordinal) ? address : "nats://" + address,
                Name = "s3overlay-notify",
                AuthOpts = new NATS.Client.Core.NatsAuthOpts
                {
                    Username = NotificationCatalog.NatsUsername.Read(read, id),
                    Password = NotificationCatalog.NatsPassword.Read(read, id),
                    Token = NotificationCatalog.NatsToken.Read(read, id),
                },
            };
            yield return new NatsTarget(NotificationArn.Of(id, "nats"), options, NotificationCatalog.NatsSubject.Read(read, id)!);
        }
    }

    private static IEnumerable<INotificationTarget> RedisTargets(SettingReader read)
    {
        foreach (var id in NotificationCatalog.RedisAddress.Ids(read))
        {
            if (!OnOff(read, NotificationCatalog.RedisEnable, id)) continue;
            var options = new StackExchange.Redis.ConfigurationOptions
            {
                EndPoints = { NotificationCatalog.RedisAddress.Read(read, id)! },
                User = NotificationCatalog.RedisUser.Read(read, id),
                Password = NotificationCatalog.RedisPassword.Read(read, id),
                AbortOnConnectFail = false,
                ClientName = "s3overlay-notify",
            };
            yield return new RedisTarget(NotificationArn.Of(id, "redis"), options, NotificationCatalog.RedisKey.Read(read, id)!,
                access: Format(read, NotificationCatalog.RedisFormat, id));
        }
    }

    private static IEnumerable<INotificationTarget> MqttTargets(SettingReader read)
    {
        foreach (var id in NotificationCatalog.MqttBroker.Ids(read))
        {
            if (!OnOff(read, NotificationCatalog.MqttEnable, id)) continue;
            var broker = Url(read, NotificationCatalog.MqttBroker, id, "tcp", "mqtt");
            var qos = NotificationCatalog.MqttQos.Read(read, id) switch
            {
                "0" => MQTTnet.Protocol.MqttQualityOfServiceLevel.AtMostOnce,
                "1" => MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce,
                "2" => MQTTnet.Protocol.MqttQualityOfServiceLevel.ExactlyOnce,
                var other => throw NotificationCatalog.MqttQos.Invalid(id, $"'{other}' is not 0, 1 or 2"),
            };
            var options = new MQTTnet.MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.IsDefaultPort ? 1883 : broker.Port)
                .WithClientId("s3overlay-notify-" + Guid.NewGuid().ToString("N")[..8])
                .WithCredentials(NotificationCatalog.MqttUsername.Read(read, id), NotificationCatalog.MqttPassword.Read(read, id))
                .Build();
            yield return new MqttTarget(NotificationArn.Of(id, "mqtt"), options, NotificationCatalog.MqttTopic.Read(read, id)!, qos);
        }
    }

    private static IEnumerable<INotificationTarget> PostgresTargets(SettingReader read)
    {
        foreach (var id in NotificationCatalog.PostgresConnectionString.Ids(read))
        {
            if (!OnOff(read, NotificationCatalog.PostgresEnable, id)) continue;
            var table = NotificationCatalog.PostgresTable.Read(read, id)!;
            if (table.Length == 0 || !table.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') || char.IsAsciiDigit(table[0]))
                throw NotificationCatalog.PostgresTable.Invalid(id, $"'{table}' is not a table name of letters, digits and underscores");
            yield return new PostgresTarget(NotificationArn.Of(id, "postgresql"), PostgresConnection.Npgsql(NotificationCatalog.PostgresConnectionString.Read(read, id)!),
                table, access: Format(read, NotificationCatalog.PostgresFormat, id));
        }
    }

    /// <summary>MinIO's formats: <c>access</c> (true) or <c>namespace</c>.</summary>
    private static bool Format(SettingReader read, TargetSetting setting, string id) =>
        setting.Read(read, id) switch
        {
            "access" => true,
            "namespace" => false,
            var other => throw setting.Invalid(id, $"'{other}' is not namespace or access"),
        };

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
