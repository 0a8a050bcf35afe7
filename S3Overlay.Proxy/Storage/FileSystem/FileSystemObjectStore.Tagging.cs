using S3Overlay.S3.Errors;

namespace S3Overlay.Storage.FileSystem;

/// <summary>Tags live in the object's sidecar, so changing them rewrites the sidecar and never the file.</summary>
public sealed partial class FileSystemObjectStore
{
    public async Task<IReadOnlyDictionary<string, string>> GetObjectTaggingAsync(string bucket, string key, CancellationToken ct) =>
        (await HeadObjectAsync(bucket, key, ReadConditions.None, ct)).Metadata.Tags;

    public async Task PutObjectTaggingAsync(string bucket, string key, IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        var path = ObjectFile(bucket, key);
        var sidecarPath = _layout.SidecarPath(bucket, key);
        // A file put there by hand is described (given a sidecar) first; one changed by hand between
        // that and the lock is described again.
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await HeadObjectAsync(bucket, key, ReadConditions.None, ct);
            using (await _locks.AcquireAsync(bucket, key, ct))
            {
                var current = new FileInfo(path);
                if (!current.Exists) throw S3Exception.NoSuchKey(key);
                if (ValidSidecar(sidecarPath, key, current.Length, current.LastWriteTimeUtc) is not { } sidecar) continue;
                _described.Forget(bucket, key);
                (sidecar with { Metadata = sidecar.Metadata with { Tags = tags } }).Write(sidecarPath, _layout.NewTempPath());
                return;
            }
        }
        throw new S3Exception(S3Error.SlowDown, key); // the file keeps changing under us
    }
}
