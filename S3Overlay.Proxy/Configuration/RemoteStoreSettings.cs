using S3Overlay.Storage.S3;

namespace S3Overlay.Configuration;

/// <summary>
/// The remote S3 the overlay reads from, configured as the original s3-overlay was
/// (<c>S3_OVERLAY_REMOTE_*</c>) or by the connection string <c>ConnectionStrings__remote</c>; the
/// <c>S3_OVERLAY_REMOTE_*</c> values win. On when any of them is set (no endpoint means AWS S3).
/// </summary>
public sealed record RemoteStoreSettings(S3StoreOptions Store)
{
    public const string ConnectionName = "remote";

    public static RemoteStoreSettings? From(SettingReader read)
    {
        var connection = S3ConnectionString.Parse(read.ConnectionString(ConnectionName), $"ConnectionStrings__{ConnectionName}");
        var endpointText = read.String("S3_OVERLAY_REMOTE_ENDPOINT");
        var region = read.String("S3_OVERLAY_REMOTE_REGION");
        var accessKey = read.String("S3_OVERLAY_REMOTE_ACCESS_KEY_ID");
        var secretKey = read.String("S3_OVERLAY_REMOTE_SECRET_ACCESS_KEY");
        if (connection is null && endpointText is null && region is null && accessKey is null && secretKey is null) return null;

        var endpoint = endpointText is null ? connection?.Endpoint : Endpoints.Parse(endpointText, "S3_OVERLAY_REMOTE_ENDPOINT");
        // The original's default is virtual-host style (AWS); a connection string names a MinIO-like server, which wants path style.
        var style = read.String("S3_OVERLAY_REMOTE_ADDRESSING_STYLE", endpointText is null && connection is not null ? "path" : "virtual")!;
        var pathStyle = PathStyle(style, "S3_OVERLAY_REMOTE_ADDRESSING_STYLE");
        // One number for both waits: how long the remote may take to begin an answer, and to send the next byte of a body.
        var timeout = read.Duration("S3_OVERLAY_REMOTE_TIMEOUT", DefaultTimeout);
        if (timeout <= TimeSpan.Zero) throw new SettingException("S3_OVERLAY_REMOTE_TIMEOUT", "must be more than 0");
        return new RemoteStoreSettings(new S3StoreOptions(
            Name: "remote store",
            Endpoint: endpoint,
            Region: region ?? connection?.Region ?? "us-east-1",
            PathStyle: pathStyle,
            AccessKey: accessKey ?? connection?.AccessKey,
            SecretKey: secretKey ?? connection?.SecretKey,
            SessionToken: read.String("S3_OVERLAY_REMOTE_SESSION_TOKEN"))
        {
            RequestTimeout = timeout,
            ReadIdleTimeout = timeout,
        });
    }

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Whether an addressing style setting means path style: <c>path</c>, or <c>virtual</c> (<c>auto</c>, as boto3 says) for host style.</summary>
    public static bool PathStyle(string style, string setting) => style.ToLowerInvariant() switch
    {
        "path" => true,
        "virtual" or "auto" => false,
        _ => throw new SettingException(setting, $"'{style}' is not virtual or path"),
    };

    public S3ObjectStore CreateStore(TimeProvider? clock = null) => new(Store, clock);
}
