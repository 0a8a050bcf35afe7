using S3Overlay.Storage.Errors;
using S3Overlay.Storage.ObjectLock;
using S3Overlay.Storage.Versions;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// Object Lock. A version's lock is in its description (the sidecar of the current version, the
/// record of another), so it is written as tags are, in the one atomic rename that writes the
/// description, and moves with the version when a write makes it noncurrent: a kill leaves the
/// old description or the new, each whole. The rules are checked under the key's lock, in the
/// step that changes or removes the version. The bucket's configuration is a bucket setting.
/// </summary>
internal sealed partial class FileSystemObjectStore
{
    private const string ObjectLockSetting = "object-lock";

    public async Task CreateBucketAsync(string bucket, bool objectLock, CancellationToken ct)
    {
        await CreateBucketAsync(bucket, ct);
        if (!objectLock) return;
        // Versioning first: a kill between the two leaves a versioned bucket without a lock, never a lock on a bucket that keeps no versions.
        await PutBucketVersioningAsync(bucket, BucketVersioning.Enabled, ct);
        await PutBucketSettingAsync(bucket, ObjectLockSetting, ObjectLockConfiguration.Enabled.ToText(), ct);
    }

    public async Task<ObjectLockConfiguration?> GetObjectLockConfigurationAsync(string bucket, CancellationToken ct) =>
        ObjectLockConfiguration.FromText(await GetBucketSettingAsync(bucket, ObjectLockSetting, ct));

    public async Task PutObjectLockConfigurationAsync(string bucket, ObjectLockConfiguration configuration, CancellationToken ct)
    {
        if (await GetObjectLockConfigurationAsync(bucket, ct) is null && _versioning.Of(bucket) != BucketVersioning.Enabled)
            throw new StorageException(StorageFault.WrongBucketState, bucket, "Versioning must be enabled on the bucket to enable Object Lock.");
        await PutBucketSettingAsync(bucket, ObjectLockSetting, configuration.ToText(), ct);
    }

    public async Task PutObjectRetentionAsync(string bucket, string key, string? versionId, ObjectRetention? retention, bool bypassGovernance, CancellationToken ct)
    {
        var id = await LockedVersionIdAsync(bucket, key, versionId, ct);
        await _space.WatchAsync(() => RewriteVersionAsync(bucket, key, id, m =>
        {
            ObjectLockRules.CheckRetentionChange(m.Retention, retention, _clock.GetUtcNow(), bypassGovernance);
            return m with { Retention = retention };
        }, ct));
    }

    public async Task PutObjectLegalHoldAsync(string bucket, string key, string? versionId, bool on, CancellationToken ct)
    {
        var id = await LockedVersionIdAsync(bucket, key, versionId, ct);
        await _space.WatchAsync(() => RewriteVersionAsync(bucket, key, id, m => m with { LegalHold = on }, ct));
    }

    /// <summary>The version a lock change is for (the current one when none is named), in a bucket that has Object Lock.</summary>
    private async Task<string> LockedVersionIdAsync(string bucket, string key, string? versionId, CancellationToken ct)
    {
        if (await GetObjectLockConfigurationAsync(bucket, ct) is null) throw ObjectLockRules.NotALockBucket();
        return versionId ?? (await HeadObjectAsync(bucket, key, ReadConditions.None, ct)).VersionId ?? VersionIds.Null;
    }
}
