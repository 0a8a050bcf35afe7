using S3Overlay.Configuration;
using S3Overlay.Configuration.Catalog;

namespace S3Overlay.Overlay.Events;

/// <summary>How the remote's change events reach the overlay (read once at start-up; <see cref="RemoteEventsCatalog"/>).</summary>
/// <param name="Token">What a delivery to <c>POST /_overlay/events</c> must carry; null: that endpoint is off.</param>
/// <param name="Amqp">The broker the remote publishes to; null: no AMQP.</param>
/// <param name="SnsCertificateUrl">Where SNS certificates may come from instead of AWS's hosts; null: AWS's.</param>
/// <param name="Reconcile">Whether what is cached is compared with the remote's listings at start and after a reconnect.</param>
internal sealed record RemoteEventSettings(string? Token, AmqpEventSource? Amqp, string? SnsCertificateUrl, bool Reconcile)
{
    /// <summary>Whether the overlay follows the remote's events at all.</summary>
    public bool On => Token is not null || Amqp is not null;

    public static RemoteEventSettings From(SettingReader read)
    {
        var token = RemoteEventsCatalog.Token.Given(read);
        if (token is { Length: < 16 }) throw RemoteEventsCatalog.Token.Invalid("must be at least 16 characters (it is all that stands between the internet and the cache's contents)");
        AmqpEventSource? amqp = null;
        if (RemoteEventsCatalog.AmqpUrl.Given(read) is { } url)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps"))
                throw RemoteEventsCatalog.AmqpUrl.Invalid($"'{url}' is not an amqp:// or amqps:// URL");
            var exchange = RemoteEventsCatalog.AmqpExchange.Given(read) ?? throw RemoteEventsCatalog.AmqpExchange.Invalid($"is required with {RemoteEventsCatalog.AmqpUrl.Name}");
            amqp = new AmqpEventSource(uri, exchange, RemoteEventsCatalog.AmqpRoutingKey.Read(read)!, RemoteEventsCatalog.AmqpQueue.Read(read)!);
        }
        var sns = RemoteEventsCatalog.SnsCertificateUrl.Given(read);
        if (sns is not null && !Uri.TryCreate(sns, UriKind.Absolute, out _)) throw RemoteEventsCatalog.SnsCertificateUrl.Invalid($"'{sns}' is not an absolute URL");
        return new RemoteEventSettings(token, amqp, sns, RemoteEventsCatalog.Reconcile.Read(read));
    }
}

/// <summary>An AMQP broker's exchange the remote publishes to, and the overlay's queue bound to it.</summary>
internal sealed record AmqpEventSource(Uri Url, string Exchange, string RoutingKey, string Queue)
{
    /// <summary>The broker's address without its password, for logs and the status page.</summary>
    public string Shown => new UriBuilder(Url) { Password = "", UserName = "" }.Uri.ToString();
}
