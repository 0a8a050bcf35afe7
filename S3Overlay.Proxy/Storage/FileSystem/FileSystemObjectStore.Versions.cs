using Microsoft.Win32.SafeHandles;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage.ObjectLock;
using S3Overlay.Storage.Versions;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// Versions. A key's current version stays where an unversioned bucket keeps it (its file and
/// sidecar, which now carries the version's id), so reading it costs what it always did; a delete
/// marker that is current is the sidecar alone, with no file. Every other version is in the key's
/// <see cref="VersionFolder"/>. The commit points are those of unversioned writes: the version a
/// write replaces is linked into the folder first, so whichever way a kill falls, each version is
/// whole somewhere, and the sidecar with its previous description names what is current.
/// </summary>
internal sealed partial class FileSystemObjectStore
{
    public Task<BucketVersioning> GetBucketVersioningAsync(string bucket, CancellationToken ct)
    {
        RequireBucket(bucket);
        return Task.FromResult(_versioning.Of(bucket));
    }

    public Task PutBucketVersioningAsync(string bucket, BucketVersioning state, CancellationToken ct) => _space.WatchAsync(() =>
    {
        RequireBucket(bucket);
        _versioning.Set(bucket, state);
        return Task.CompletedTask;
    });

    public async Task<ObjectInfo> HeadObjectVersionAsync(string bucket, string key, string versionId, ReadConditions conditions, CancellationToken ct)
    {
        var (info, file) = await OpenVersionAsync(bucket, key, versionId, ct);
        file.Dispose();
        conditions.Evaluate(info);
        return info;
    }

    public async Task<ObjectContent> GetObjectVersionAsync(string bucket, string key, string versionId, ObjectReadRequest request, CancellationToken ct)
    {
        var (info, file) = await OpenVersionAsync(bucket, key, versionId, ct);
        try
        {
            return Serve(info, file, request);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public async Task<IReadOnlyDictionary<string, string>> GetObjectVersionTaggingAsync(string bucket, string key, string versionId, CancellationToken ct) =>
        (await HeadObjectVersionAsync(bucket, key, versionId, ReadConditions.None, ct)).Metadata.Tags;

    public Task PutObjectVersionTaggingAsync(string bucket, string key, string versionId, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        _space.WatchAsync(() => RewriteVersionAsync(bucket, key, versionId, m => m with { Tags = tags }, ct));

    public Task PutObjectVersionAclAsync(string bucket, string key, string versionId, string? acl, CancellationToken ct) =>
        _space.WatchAsync(() => RewriteVersionAsync(bucket, key, versionId, m => m with { Acl = acl }, ct));

    /// <summary>The version described, and its body open for reading (the caller disposes it).</summary>
    private async Task<(ObjectInfo Info, SafeFileHandle File)> OpenVersionAsync(string bucket, string key, string versionId, CancellationToken ct)
    {
        if (!VersionIds.IsWellFormed(versionId)) throw VersionIds.Invalid(versionId);
        if (OpenIfExisting(bucket, key) is { } opened)
        {
            ObjectInfo current;
            try { current = await DescribeAsync(bucket, key, opened, ct); }
            catch
            {
                opened.File.Dispose();
                throw;
            }
            if ((current.VersionId ?? VersionIds.Null) == versionId) return (current, opened.File);
            opened.File.Dispose();
        }
        else if (CurrentMarker(bucket, key) is { } marker && (marker.VersionId ?? VersionIds.Null) == versionId)
            throw VersionIds.DeleteMarker(key, versionId, marker.LastModified, askedByVersion: true);
        FilesOf(bucket, key); // NoSuchBucket, or a key no store can hold
        var versions = VersionsOf(bucket, key);
        if (versions.Find(versionId) is not { } record) throw VersionIds.NoSuchVersion(key, versionId);
        if (record.DeleteMarker) throw VersionIds.DeleteMarker(key, versionId, record.LastModified, askedByVersion: true);
        if (StoreFiles.TryOpen(versions.BodyPath(versionId)) is not { } body) throw VersionIds.NoSuchVersion(key, versionId);
        return (record.ToInfo(), body.File);
    }

    /// <summary>Changes one version's tags or ACL: the sidecar of the current one, the record of another; never a body.</summary>
    private async Task RewriteVersionAsync(string bucket, string key, string versionId, Func<ObjectMetadata, ObjectMetadata> change, CancellationToken ct)
    {
        var info = await HeadObjectVersionAsync(bucket, key, versionId, ReadConditions.None, ct); // 404 or 405 when there is nothing to change
        var files = FilesOf(bucket, key);
        using (await _locks.AcquireAsync(bucket, key, ct))
        {
            var sidecarPath = _layout.SidecarPath(bucket, key);
            if (files.Current() is { Version: var v } && ValidSidecar(sidecarPath, key, v.Size, v.LastWriteUtc, v.Inode) is { } current
                && (current.VersionId ?? VersionIds.Null) == versionId)
            {
                _described.Forget(bucket, key);
                var whole = ObjectSidecar.TryRead(sidecarPath)!;
                var changed = current with { Metadata = change(current.Metadata), Previous = whole.Describes(v.Size, v.LastWriteUtc, v.Inode) ? whole.Previous : null };
                Unsettle(bucket, key);
                try { changed.Write(sidecarPath, _layout.NewTempPath()); }
                finally { Settle(bucket, key); }
                return;
            }
            var versions = VersionsOf(bucket, key);
            if (versions.Find(versionId) is not { DeleteMarker: false } record) throw VersionIds.NoSuchVersion(key, info.VersionId ?? versionId);
            versions.Keep(record with { Metadata = change(record.Metadata) }, null, _layout.NewTempPath());
        }
    }

    public Task<DeletedVersion> DeleteObjectVersionAsync(string bucket, string key, string? versionId, CancellationToken ct) =>
        DeleteObjectVersionAsync(bucket, key, versionId, ObjectDelete.Plain, ct);

    public async Task<DeletedVersion> DeleteObjectVersionAsync(string bucket, string key, string? versionId, ObjectDelete delete, CancellationToken ct)
    {
        var folder = RequireBucket(bucket);
        if (versionId is not null && !VersionIds.IsWellFormed(versionId)) throw VersionIds.Invalid(versionId);
        var versioning = _versioning.Of(bucket);
        if (versionId is null && versioning == BucketVersioning.Unversioned)
        {
            await DeleteUnversionedAsync(folder, bucket, key, delete.Condition, ct);
            return DeletedVersion.Unversioned;
        }
        KeyFiles files;
        try { files = FilesIn(folder, bucket, key); }
        catch (StorageException) when (versionId is not null || delete.IfMatch is null) { return new DeletedVersion(versionId, false); } // a key this store cannot hold has no versions
        catch (StorageException) { throw StorageException.ObjectNotFound(key); }
        using (await _locks.AcquireAsync(bucket, key, ct))
        {
            // Synchronous under the gate (it is thread-bound), as commits are.
            _bucketGate.EnterReadLock();
            try
            {
                files = files with { Bucket = RequireBucket(bucket) };
                _described.Forget(bucket, key);
                var current = files.Current();
                var sidecarPath = _layout.SidecarPath(bucket, key);
                var latest = current is { Version: var v } ? ValidSidecar(sidecarPath, key, v.Size, v.LastWriteUtc, v.Inode) ?? DescribedByHand(key, current.Value)
                    : CurrentMarker(bucket, key);
                if (versionId is null)
                {
                    CheckDeleteCondition(key, delete, latest is { DeleteMarker: false } ? latest : null);
                    return MakeDeleteMarker(bucket, key, files, current, latest, versioning);
                }
                return RemoveVersion(bucket, key, files, current, latest, versionId, delete);
            }
            finally
            {
                _bucketGate.ExitReadLock();
            }
        }
    }

    /// <summary>
    /// A delete without a version id: the current version is kept (unless it is the null version of
    /// a suspended bucket, which the marker replaces), the marker recorded, the sidecar made the
    /// marker (still naming the body in place as previous), and only then the file removed: that
    /// removal is the commit, so a kill before it leaves the key as it was.
    /// </summary>
    private DeletedVersion MakeDeleteMarker(string bucket, string key, KeyFiles files, (KeyFile File, FileVersion Version)? current, ObjectSidecar? latest, BucketVersioning versioning)
    {
        KeepCurrentVersion(bucket, key, current, latest, versioning);
        var id = NewVersionId(versioning);
        var marker = new ObjectSidecar
        {
            Key = key, Size = 0, FileTicks = 0, ETag = "", LastModified = _clock.GetUtcNow(),
            VersionId = id, DeleteMarker = true, Sequence = NextSequence(latest),
        };
        var versions = VersionsOf(bucket, key);
        if (id == VersionIds.Null) versions.Remove(VersionIds.Null);
        versions.Keep(marker, null, _layout.NewTempPath());
        (marker with { Previous = latest is { DeleteMarker: false } ? latest : null }).Write(_layout.SidecarPath(bucket, key), _layout.NewTempPath());
        if (current is not null) RemoveFiles(bucket, key, files);
        return new DeletedVersion(id, true);
    }

    /// <summary>
    /// Removes one version for good. When it is the current one, the newest other version becomes
    /// current: a body is linked back into place under a sidecar naming both (as a write commits),
    /// a delete marker becomes the sidecar; with none left the key is gone.
    /// </summary>
    private DeletedVersion RemoveVersion(string bucket, string key, KeyFiles files, (KeyFile File, FileVersion Version)? current, ObjectSidecar? latest, string versionId, ObjectDelete delete)
    {
        var versions = VersionsOf(bucket, key);
        var sidecarPath = _layout.SidecarPath(bucket, key);
        if (latest is null || (latest.VersionId ?? VersionIds.Null) != versionId)
        {
            var record = versions.Find(versionId);
            if (record is null) return new DeletedVersion(versionId, false);
            CheckDeleteCondition(key, delete, record);
            ObjectLockRules.CheckDelete(record.Metadata, _clock.GetUtcNow(), delete.BypassGovernance);
            versions.Remove(versionId);
            return new DeletedVersion(versionId, record.DeleteMarker);
        }
        CheckDeleteCondition(key, delete, latest);
        ObjectLockRules.CheckDelete(latest.Metadata, _clock.GetUtcNow(), delete.BypassGovernance);
        var next = versions.Records().FirstOrDefault(r => r.VersionId != versionId && r.Sequence <= latest.Sequence);
        var inPlace = latest.DeleteMarker ? null : latest;
        if (next is null)
        {
            if (current is not null) RemoveFiles(bucket, key, files);
            File.Delete(sidecarPath);
        }
        else if (next.DeleteMarker)
        {
            (next with { Previous = inPlace }).Write(sidecarPath, _layout.NewTempPath());
            if (current is not null) RemoveFiles(bucket, key, files);
        }
        else
        {
            var temp = _layout.NewTempPath();
            using (var body = StoreFiles.TryOpen(versions.BodyPath(next.VersionId!)) is { } opened ? opened.File : throw new IOException($"The body of version {next.VersionId} of {key} is gone."))
                VersionFolder.Link(body, temp, _layout.NewTempPath());
            try
            {
                Unsettle(bucket, key); // before the new current version's sidecar and body, as a write's
                (next with { Previous = inPlace }).Write(sidecarPath, _layout.NewTempPath());
                MoveIntoPlace((folder, relative, replace) => folder.TryRenameInto(temp, relative, replace, flush: true), files, current?.File);
            }
            catch
            {
                File.Delete(temp);
                Settle(bucket, key);
                throw;
            }
            Settle(bucket, key, next);
            versions.Remove(next.VersionId!); // current now
        }
        versions.Remove(versionId); // a delete marker's record
        return new DeletedVersion(versionId, latest.DeleteMarker);
    }

    /// <summary>
    /// A delete's If-Match against what it would remove (null: no object, which a delete marker
    /// current is for a delete without a version id). A delete marker has no ETag to match.
    /// </summary>
    private static void CheckDeleteCondition(string key, ObjectDelete delete, ObjectSidecar? removed)
    {
        if (delete.IfMatch is not { } etag) return;
        if (removed is null) throw StorageException.ObjectNotFound(key);
        if (removed.DeleteMarker || !ReadConditions.ETagMatches(etag, removed.ToInfo().ETag)) throw new StorageException(StorageFault.PreconditionFailed, key);
    }

    /// <summary>
    /// Before a write or delete replaces the key's current version: keeps it in the key's
    /// <see cref="VersionFolder"/>, unless the bucket is suspended and it is the null version (which
    /// the new null version replaces, as in S3).
    /// </summary>
    /// <returns>The current version's description (a body's or a delete marker's); null when the key has none.</returns>
    private ObjectSidecar? KeepCurrentVersion(string bucket, string key, (KeyFile File, FileVersion Version)? current, ObjectSidecar? described, BucketVersioning versioning)
    {
        var latest = current is { } c ? described ?? DescribedByHand(key, c) : CurrentMarker(bucket, key);
        if (latest is null) return null;
        var id = latest.VersionId ?? VersionIds.Null;
        if (versioning == BucketVersioning.Suspended && id == VersionIds.Null) return latest;
        var record = latest with { VersionId = id, Previous = null };
        if (latest.DeleteMarker)
        {
            VersionsOf(bucket, key).Keep(record, null, _layout.NewTempPath());
            return latest;
        }
        var (file, version) = current!.Value;
        using var body = file.Folder.TryOpen(file.Relative) is { } opened && opened.Version == version ? opened.File
            : throw new IOException($"{file} changed while it was being kept as a version.");
        VersionsOf(bucket, key).Keep(record, body, _layout.NewTempPath());
        return latest;
    }

    /// <summary>A file put into the folder by hand, described from its bytes (under the key's lock, so synchronously).</summary>
    private static ObjectSidecar DescribedByHand(string key, (KeyFile File, FileVersion Version) current)
    {
        using var body = current.File.Folder.TryOpen(current.File.Relative) is { } opened ? opened.File
            : throw new IOException($"{current.File} is gone.");
        return ComputeSidecarAsync(key, body, current.Version, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>The key's current delete marker: its sidecar when it is one (or a write that failed left it as previous).</summary>
    private ObjectSidecar? CurrentMarker(string bucket, string key) =>
        ObjectSidecar.TryRead(_layout.SidecarPath(bucket, key)) is { } s && s.Key == key
            ? s.DeleteMarker ? s with { Previous = null } : s.Previous is { DeleteMarker: true } p ? p : null
            : null;

    /// <summary>
    /// Removes the key's body (each removal takes the folders it emptied, so a key of a folder's
    /// name can be a plain file later), its row unsettled before and removed after.
    /// </summary>
    private void RemoveFiles(string bucket, string key, KeyFiles files)
    {
        Unsettle(bucket, key, removing: true);
        if (files.Plain is not null) files.Bucket.Delete(files.Plain);
        files.Area.Delete(files.Encoded);
        Settle(bucket, key);
    }

    private string NewVersionId(BucketVersioning versioning) =>
        versioning == BucketVersioning.Enabled ? VersionIds.New(_clock.GetUtcNow()) : VersionIds.Null;

    /// <summary>Above the version replaced, and the clock's ticks where the clock is ahead (so ids and order agree).</summary>
    private long NextSequence(ObjectSidecar? latest) => Math.Max(_clock.GetUtcNow().UtcTicks, (latest?.Sequence ?? 0) + 1);

    /// <summary>The key's versions folder; made, changed and removed under the key's lock, the listing index told before and after.</summary>
    private VersionFolder VersionsOf(string bucket, string key) =>
        new(_layout.VersionsDir(bucket, key), removing => VersionsChanging(bucket, key, removing), () => Unversioned(bucket, key));

    /// <summary>Noncurrent versions or delete markers make a bucket not empty, as in S3.</summary>
    private bool HoldsVersions(string bucket)
    {
        try { return Directory.EnumerateFiles(_layout.VersionsDir(bucket), "*.json", SearchOption.AllDirectories).Any(); }
        catch (DirectoryNotFoundException) { return false; }
    }
}
