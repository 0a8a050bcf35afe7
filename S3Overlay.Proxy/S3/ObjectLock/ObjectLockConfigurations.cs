using S3Overlay.Storage;
using S3Overlay.Storage.ObjectLock;

namespace S3Overlay.S3.ObjectLock;

/// <summary>
/// Each bucket's Object Lock configuration as writes apply it (its default retention, whether lock
/// parameters are allowed at all), remembered as the other bucket settings are: every write asks.
/// </summary>
internal sealed class ObjectLockConfigurations : BucketSettingCache<ObjectLockConfiguration>
{
    private readonly IObjectStore _store;

    public ObjectLockConfigurations(IObjectStore store, TimeProvider clock) : base(store, clock, "object-lock") => _store = store;

    /// <summary>The store keeps the configuration its own way (an S3 server as its Object Lock configuration).</summary>
    protected override async Task<string?> ReadAsync(string bucket, CancellationToken ct) =>
        (await _store.GetObjectLockConfigurationAsync(bucket, ct))?.ToText();

    protected override ObjectLockConfiguration? Parse(string bucket, string? text) => ObjectLockConfiguration.FromText(text);
}
