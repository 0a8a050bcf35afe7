using S3Overlay.Configuration;
using S3Overlay.Configuration.Catalog;

namespace S3Overlay.Storage.S3;

/// <summary>
/// The remote S3 the overlay reads from, configured as the original s3-overlay was
/// (<c>S3_OVERLAY_REMOTE_*</c>) or by the connection string <c>ConnectionStrings__remote</c>; the
/// <c>S3_OVERLAY_REMOTE_*</c> values win. On when any of them is set (no endpoint means AWS S3).
/// </summary>
internal sealed record RemoteStoreSettings(S3StoreOptions Store)
{
    public const string ConnectionName = "remote";

    public static RemoteStoreSettings? From(SettingReader read)
    {
        var connection = S3ConnectionString.Parse(read.ConnectionString(ConnectionName), $"ConnectionStrings__{ConnectionName}");
        var endpointText = RemoteCatalog.Endpoint.Given(read);
        var region = RemoteCatalog.Region.Given(read);
        var accessKey = RemoteCatalog.AccessKeyId.Given(read);
        var secretKey = RemoteCatalog.SecretAccessKey.Given(read);
        if (connection is null && endpointText is null && region is null && accessKey is null && secretKey is null) return null;

        var endpoint = endpointText is null ? connection?.Endpoint : Endpoints.Parse(endpointText, RemoteCatalog.Endpoint.Name);
        var style = RemoteCatalog.AddressingStyle.Given(read) ?? (endpointText is null && connection is not null ? "path" : RemoteCatalog.AddressingStyle.Default!);
        var pathStyle = PathStyle(style, RemoteCatalog.AddressingStyle.Name);
        var timeout = RemoteCatalog.Timeout.Read(read);
        return new RemoteStoreSettings(new S3StoreOptions(
            Name: "remote store",
            Endpoint: endpoint,
            Region: region ?? connection?.Region ?? RemoteCatalog.Region.Default!,
            PathStyle: pathStyle,
            AccessKey: accessKey ?? connection?.AccessKey,
            SecretKey: secretKey ?? connection?.SecretKey,
            SessionToken: RemoteCatalog.SessionToken.Read(read))
        {
            RequestTimeout = timeout,
            ReadIdleTimeout = timeout,
        });
    }

    /// <summary>Whether an addressing style setting means path style: <c>path</c>, or <c>virtual</c> (<c>auto</c>, as boto3 says) for host style.</summary>
    public static bool PathStyle(string style, string setting) => style.ToLowerInvariant() switch
    {
        "path" => true,
        "virtual" or "auto" => false,
        _ => throw new SettingException(setting, $"'{style}' is not virtual or path"),
    };

    public S3ObjectStore CreateStore(TimeProvider? clock = null) => new(Store, clock);
}
