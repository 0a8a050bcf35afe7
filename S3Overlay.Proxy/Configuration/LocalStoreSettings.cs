using S3Overlay.Storage.S3;

namespace S3Overlay.Configuration;

/// <summary>
/// MinIO or any S3 server as the local store, instead of the embedded file-system store. On when
/// <c>S3_OVERLAY_LOCAL_ENDPOINT</c> or the connection string <c>ConnectionStrings__local</c> (name
/// set by <c>S3_OVERLAY_LOCAL_CONNECTION_NAME</c>) is given; the <c>S3_OVERLAY_LOCAL_*</c> values
/// win over the connection string's.
/// </summary>
/// <param name="Setting">The variable the endpoint came from, for start-up errors.</param>
public sealed record LocalStoreSettings(S3StoreOptions Store, string Setting)
{
    public const string EndpointSetting = "S3_OVERLAY_LOCAL_ENDPOINT";
    public const string TimeoutSetting = "S3_OVERLAY_LOCAL_TIMEOUT";

    /// <summary>The store's name in its errors (<see cref="S3Overlay.S3.Errors.S3Exception.UnreachableStore"/>), by which the overlay knows its local store is down.</summary>
    public const string StoreName = "local store";

    /// <summary>
    /// How long the local store is held as down once found so: long enough that writes during an
    /// outage fail at once rather than each after the timeout, short enough that a store back
    /// again is used within moments (docs/overlay.md, "A lost local store").
    /// </summary>
    public static readonly TimeSpan OutageHold = TimeSpan.FromSeconds(2);

    public static LocalStoreSettings? From(SettingReader read)
    {
        var connectionName = read.String("S3_OVERLAY_LOCAL_CONNECTION_NAME", "local")!;
        var connectionSetting = $"ConnectionStrings__{connectionName}";
        var connection = S3ConnectionString.Parse(read.ConnectionString(connectionName), connectionSetting);
        var endpointText = read.String(EndpointSetting);
        if (endpointText is null && connection is null) return null;

        var endpoint = endpointText is null ? connection!.Endpoint : Endpoints.Parse(endpointText, EndpointSetting);
        // One number for both waits, as for the remote: how long the store may take to begin an
        // answer (or to take an upload's next bytes), and to send the next byte of a body. Shorter
        // than the remote's: the local store is near, and a read of an object the remote holds
        // goes on without it once it is found down (Overlay/LostLocal/).
        var timeout = read.Duration(TimeoutSetting, TimeSpan.FromSeconds(10));
        if (timeout <= TimeSpan.Zero) throw new SettingException(TimeoutSetting, "must be more than 0");
        var store = new S3StoreOptions(
            Name: StoreName,
            Endpoint: endpoint,
            Region: read.String("S3_OVERLAY_LOCAL_REGION") ?? connection?.Region ?? "us-east-1",
            PathStyle: true,
            AccessKey: read.String("S3_OVERLAY_LOCAL_ACCESS_KEY") ?? connection?.AccessKey ?? "minioadmin",
            SecretKey: read.String("S3_OVERLAY_LOCAL_SECRET_KEY") ?? connection?.SecretKey ?? "minioadmin",
            SessionToken: read.String("S3_OVERLAY_LOCAL_SESSION_TOKEN"),
            BucketLocation: read.String("S3_OVERLAY_DEFAULT_BUCKET_LOCATION", "us-east-1"))
        {
            RequestTimeout = timeout,
            ReadIdleTimeout = timeout,
            OutageHold = OutageHold,
            ServerErrorsAreOutages = true,
            TellsVersions = true,
        };
        return new LocalStoreSettings(store, endpointText is null ? connectionSetting : EndpointSetting);
    }

    public S3ObjectStore CreateStore(TimeProvider? clock = null) => new(Store, clock);
}
