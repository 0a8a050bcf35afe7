using S3Overlay.Storage.Errors;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// Tags and ACLs live in the object's sidecar, so changing them rewrites the sidecar and never
/// the file. Bucket settings are small files beside the bucket's sidecars.
/// </summary>
internal sealed partial class FileSystemObjectStore
{
    public async Task<IReadOnlyDictionary<string, string>> GetObjectTaggingAsync(string bucket, string key, CancellationToken ct) =>
        (await HeadObjectAsync(bucket, key, ReadConditions.None, ct)).Metadata.Tags;

    public Task PutObjectTaggingAsync(string bucket, string key, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        _space.WatchAsync(() => RewriteSidecarAsync(bucket, key, m => m with { Tags = tags }, ct));

    public Task PutObjectAclAsync(string bucket, string key, string? acl, CancellationToken ct) =>
        _space.WatchAsync(() => RewriteSidecarAsync(bucket, key, m => m with { Acl = acl }, ct));

    public Task<string?> GetBucketSettingAsync(string bucket, string name, CancellationToken ct)
    {
        RequireBucket(bucket);
        return Task.FromResult(JsonFile.TryRead(BucketSettingPath(bucket, name), StoreJson.Default.BucketSetting)?.Value);
    }

    public Task PutBucketSettingAsync(string bucket, string name, string? value, CancellationToken ct) => _space.WatchAsync(() =>
    {
        RequireBucket(bucket);
        var path = BucketSettingPath(bucket, name);
        if (value is null)
        {
            try { File.Delete(path); }
            catch (DirectoryNotFoundException) { } // never set
        }
        else JsonFile.Write(path, new BucketSetting(value), StoreJson.Default.BucketSetting, _layout.NewTempPath());
        return Task.CompletedTask;
    });

    /// <summary>Beside the sidecars' two-hex-digit folders, so no sidecar can land here; removed with the bucket's metadata.</summary>
    private string BucketSettingPath(string bucket, string name) => Path.Join(_layout.MetaDir(bucket), "bucket", name + ".json");

    internal sealed record BucketSetting(string Value);

    private async Task RewriteSidecarAsync(string bucket, string key, Func<ObjectMetadata, ObjectMetadata> change, CancellationToken ct)
    {
        var files = FilesOf(bucket, key);
        var sidecarPath = _layout.SidecarPath(bucket, key);
        // A file put there by hand is described (given a sidecar) first; one changed by hand between
        // that and the lock is described again.
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await HeadObjectAsync(bucket, key, ReadConditions.None, ct);
            using (await _locks.AcquireAsync(bucket, key, ct))
            {
                if (files.Current() is not { Version: var current }) throw StorageException.ObjectNotFound(key);
                if (ValidSidecar(sidecarPath, key, current.Size, current.LastWriteUtc, current.Inode) is not { } sidecar) continue;
                _described.Forget(bucket, key);
                Unsettle(bucket, key); // the row's description is the sidecar's: unsettled while it changes
                try { (sidecar with { Metadata = change(sidecar.Metadata) }).Write(sidecarPath, _layout.NewTempPath()); }
                finally { Settle(bucket, key); }
                return;
            }
        }
        throw new StorageException(StorageFault.Busy, key); // the file keeps changing under us
    }
}
