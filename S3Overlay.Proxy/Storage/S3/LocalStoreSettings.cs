using S3Overlay.Configuration;
using S3Overlay.Configuration.Catalog;

namespace S3Overlay.Storage.S3;

/// <summary>
/// MinIO or any S3 server as the local store, instead of the embedded file-system store. On when
/// <c>S3_OVERLAY_LOCAL_ENDPOINT</c> or the connection string <c>ConnectionStrings__local</c> (name
/// set by <c>S3_OVERLAY_LOCAL_CONNECTION_NAME</c>) is given; the <c>S3_OVERLAY_LOCAL_*</c> values
/// win over the connection string's.
/// </summary>
/// <param name="Setting">The variable the endpoint came from, for start-up errors.</param>
internal sealed record LocalStoreSettings(S3StoreOptions Store, string Setting)
{
    /// <summary>The store's name in its errors (<see cref="S3Overlay.Storage.Errors.StorageException.UnreachableStore"/>), by which the overlay knows its local store is down.</summary>
    public const string StoreName = "local store";

    /// <summary>
    /// How long the local store is held as down once found so: long enough that writes during an
    /// outage fail at once rather than each after the timeout, short enough that a store back
    /// again is used within moments (docs/overlay.md, "A lost local store").
    /// </summary>
    public static readonly TimeSpan OutageHold = TimeSpan.FromSeconds(2);

    public static LocalStoreSettings? From(SettingReader read)
    {
        var connectionName = LocalStoreCatalog.ConnectionName.Read(read)!;
        var connectionSetting = $"ConnectionStrings__{connectionName}";
        var connection = S3ConnectionString.Parse(read.ConnectionString(connectionName), connectionSetting);
        var endpointText = LocalStoreCatalog.Endpoint.Given(read);
        if (endpointText is null && connection is null) return null;

        var endpoint = endpointText is null ? connection!.Endpoint : Endpoints.Parse(endpointText, LocalStoreCatalog.Endpoint.Name);
        var timeout = LocalStoreCatalog.Timeout.Read(read);
        var store = new S3StoreOptions(
            Name: StoreName,
            Endpoint: endpoint,
            Region: LocalStoreCatalog.Region.Given(read) ?? connection?.Region ?? LocalStoreCatalog.Region.Default!,
            PathStyle: true,
            AccessKey: LocalStoreCatalog.AccessKey.Given(read) ?? connection?.AccessKey ?? LocalStoreCatalog.AccessKey.Default!,
            SecretKey: LocalStoreCatalog.SecretKey.Given(read) ?? connection?.SecretKey ?? LocalStoreCatalog.SecretKey.Default!,
            SessionToken: LocalStoreCatalog.SessionToken.Read(read),
            BucketLocation: LocalStoreCatalog.DefaultBucketLocation.Read(read))
        {
            RequestTimeout = timeout,
            ReadIdleTimeout = timeout,
            OutageHold = OutageHold,
            ServerErrorsAreOutages = true,
            TellsVersions = true,
        };
        return new LocalStoreSettings(store, endpointText is null ? connectionSetting : LocalStoreCatalog.Endpoint.Name);
    }

    public S3ObjectStore CreateStore(TimeProvider? clock = null) => new(Store, clock);
}
