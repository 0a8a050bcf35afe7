using System.Buffers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Win32.SafeHandles;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage.Versions;

namespace S3Overlay.Storage.FileSystem;

internal sealed partial class FileSystemObjectStore
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public async Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ReadConditions conditions, CancellationToken ct)
    {
        if (OpenIfExisting(bucket, key) is not { } opened) throw Missing(bucket, key);
        ObjectInfo info;
        using (opened.File) info = await DescribeAsync(bucket, key, opened, ct);
        conditions.Evaluate(info);
        return info;
    }

    // A miss is told by the open failing (ENOENT), not by an exception: a fill looks for its key
    // and its whiteout several times, and in .NET a thrown and caught miss costs more than the open.
    public async Task<ObjectInfo?> FindObjectAsync(string bucket, string key, CancellationToken ct)
    {
        if (OpenIfExisting(bucket, key) is not { } opened) return null;
        try
        {
            using (opened.File) return await DescribeAsync(bucket, key, opened, ct);
        }
        catch (StorageException e) when (e.IsMissing)
        {
            return null; // what a power cut left of an unflushed body, now removed: rare enough to throw
        }
    }

    public async Task<ObjectContent> GetObjectAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct) =>
        OpenIfExisting(bucket, key) is { } opened ? await ServeAsync(bucket, key, opened, request, ct) : throw Missing(bucket, key);

    /// <summary>What a read that found no file says: NoSuchBucket when there is no bucket, else NoSuchKey.</summary>
    private StorageException Missing(string bucket, string key)
    {
        RequireBucket(bucket);
        if (_versioning.Of(bucket) != BucketVersioning.Unversioned && CurrentMarker(bucket, key) is { } marker)
            return VersionIds.DeleteMarker(key, marker.VersionId ?? VersionIds.Null, marker.LastModified, askedByVersion: false);
        return StorageException.ObjectNotFound(key);
    }

    public async Task<ObjectContent?> TryGetObjectAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct)
    {
        if (OpenIfExisting(bucket, key) is not { } opened) return null;
        try
        {
            return await ServeAsync(bucket, key, opened, request, ct);
        }
        catch (StorageException e) when (e.IsMissing)
        {
            return null; // what a power cut left of an unflushed body, now removed: rare enough to throw
        }
    }

    /// <summary>The open file described and its (ranged) body; the content owns the file.</summary>
    private async Task<ObjectContent> ServeAsync(string bucket, string key, OpenFile opened, ObjectReadRequest request, CancellationToken ct)
    {
        try
        {
            // Described from the open handle: the metadata matches the bytes served even if the key is overwritten now.
            return Serve(await DescribeAsync(bucket, key, opened, ct), opened.File, request);
        }
        catch
        {
            opened.File.Dispose();
            throw;
        }
    }

    /// <summary>The described file's (ranged) body, once the request's conditions hold; the content owns the file.</summary>
    private static ObjectContent Serve(ObjectInfo info, SafeFileHandle file, ObjectReadRequest request)
    {
        request.Conditions.Evaluate(info);
        ResolvedRange? range = null;
        if (request.Range is { } asked) range = asked.Resolve(info.Size) ?? throw StorageException.RangeNotSatisfiable(info.Size);
        return new ObjectContent(info, new RangeReadStream(file, range?.Offset ?? 0, range?.Length ?? info.Size), range);
    }

    public Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream body, ObjectWrite write, CancellationToken ct) => _space.WatchAsync(async () =>
    {
        var files = FilesOf(bucket, key); // refuse a key or bucket that could never be stored before reading the body
        // And a condition that fails now, before the body is read (it is checked again as the object is committed).
        if (!write.Condition.IsNone) CheckWriteCondition(bucket, key, files.Current()?.Version, write.Condition);
        write = Honoured(write);
        using var temp = await TempBody.WriteAsync(_layout.NewTempPath(), body, write, ct);
        return await CommitAsync(bucket, key, temp, write, ct);
    });

    public string NewStagingPath() => _layout.NewTempPath();

    public Task<ObjectInfo> PutStagedObjectAsync(string bucket, string key, string path, SafeFileHandle file, ObjectWrite write, CancellationToken ct) => _space.WatchAsync(async () =>
    {
        FilesOf(bucket, key); // as PutObjectAsync: refuse what could never be stored before reading the file
        write = Honoured(write);
        using var temp = await TempBody.StageAsync(path, file, write, ct);
        return await CommitAsync(bucket, key, temp, write, ct);
    });

    /// <summary>A body may be left unflushed only where a boot can be told from the next (<see cref="Unflushed"/>).</summary>
    private ObjectWrite Honoured(ObjectWrite write) =>
        write.Durability != Durability.Unflushed || _options.BootId is not null ? write : write with { Durability = Durability.Flushed };

    private Task<ObjectInfo> CommitAsync(string bucket, string key, TempBody temp, ObjectWrite write, CancellationToken ct) =>
        CommitAsync(bucket, key, temp, write.ETag ?? temp.QuotedMd5, write.LastModified, write.Metadata, temp.TrailingChecksums, ct,
            write.Condition, write.Durability);

    public async Task DeleteObjectAsync(string bucket, string key, CancellationToken ct)
    {
        var folder = RequireBucket(bucket);
        if (_versioning.Of(bucket) != BucketVersioning.Unversioned) await DeleteObjectVersionAsync(bucket, key, null, ct);
        else await DeleteUnversionedAsync(folder, bucket, key, WriteCondition.None, ct);
    }

    /// <param name="condition">A conditional delete's If-Match, checked under the key's lock as a write's.</param>
    private async Task DeleteUnversionedAsync(ConfinedFolder folder, string bucket, string key, WriteCondition condition, CancellationToken ct)
    {
        KeyFiles files;
        try { files = FilesIn(folder, bucket, key); }
        catch (StorageException) when (condition.IsNone) { return; } // a key this store cannot hold does not exist: deleting it succeeds, as in S3
        catch (StorageException) { throw StorageException.ObjectNotFound(key); }
        using (await _locks.AcquireAsync(bucket, key, ct))
        {
            if (!condition.IsNone) CheckWriteCondition(bucket, key, files.Current()?.Version, condition);
            _described.Forget(bucket, key);
            RemoveFiles(bucket, key, files);
            var sidecar = _layout.SidecarPath(bucket, key);
            if (File.Exists(sidecar)) File.Delete(sidecar);
        }
    }

    /// <summary>
    /// Writes the new sidecar (keeping the old description in it), then renames the body into place,
    /// both under the key's lock so commits of one key do not interleave. A kill between the two
    /// leaves the old body, which the sidecar's previous description still names; a kill after the
    /// rename leaves the new body with its own description: never one version's bytes with the other's metadata.
    /// </summary>
    private async Task<ObjectInfo> CommitAsync(string bucket, string key, TempBody temp, string etag, DateTimeOffset? lastModified,
        ObjectMetadata metadata, IReadOnlyDictionary<string, string>? checksums, CancellationToken ct, WriteCondition condition,
        Durability durability = Durability.Flushed)
    {
        var files = FilesOf(bucket, key);
        var sidecarPath = _layout.SidecarPath(bucket, key);
        // An unflushed body's MD5 is the one computed as it was written, else its plain ETag's (TempBody computes it when there is none).
        var unflushed = durability != Durability.Unflushed ? null
            : new Unflushed(_options.BootId!, Convert.ToHexStringLower(temp.Md5.Length > 0 ? temp.Md5 : PlainETag.Md5Of(etag)!));
        var sidecar = ObjectSidecar.For(key, temp.Version, etag, lastModified ?? _clock.GetUtcNow(), metadata, checksums) with { Unflushed = unflushed };
        using (await _locks.AcquireAsync(bucket, key, CancellationToken.None))
        {
            // Shared with other commits, exclusive of DeleteBucket: an object answered 200 is never
            // removed with its bucket, and never resurrects a deleted bucket's folder.
            _bucketGate.EnterReadLock();
            try
            {
                files = files with { Bucket = RequireBucket(bucket) }; // the folder there now
                var current = files.Current();
                if (!condition.IsNone) CheckWriteCondition(bucket, key, current?.Version, condition);
                _described.Forget(bucket, key);
                var previous = current is { Version: var inPlace } ? ValidSidecar(sidecarPath, key, inPlace.Size, inPlace.LastWriteUtc, inPlace.Inode) : null;
                var versioning = _versioning.Of(bucket);
                if (versioning != BucketVersioning.Unversioned)
                {
                    var latest = KeepCurrentVersion(bucket, key, current, previous, versioning);
                    sidecar = sidecar with { VersionId = NewVersionId(versioning), Sequence = NextSequence(latest) };
                    previous ??= latest; // a delete marker: kept in place should this write fail
                }
                Unsettle(bucket, key); // before the sidecar and the rename: the index never lacks a key that has a body, nor describes one not in place
                var flush = durability == Durability.Flushed;
                try
                {
                    (sidecar with { Previous = previous }).Write(sidecarPath, _layout.NewTempPath(), flush: durability != Durability.Unchecked);
                    MoveIntoPlace((folder, relative, replace) => temp.TryMoveInto(folder, relative, replace, flush), files, current?.File);
                }
                catch
                {
                    if (previous is null) File.Delete(sidecarPath); // describes nothing in place: leave no stray sidecar
                    Settle(bucket, key); // to what is in place: the old body, or none
                    throw;
                }
                Settle(bucket, key, sidecar);
                if (versioning == BucketVersioning.Suspended) VersionsOf(bucket, key).Remove(VersionIds.Null); // the null version this write replaced
            }
            finally
            {
                _bucketGate.ExitReadLock();
            }
        }
        return sidecar.ToInfo();
    }

    /// <summary>
    /// A conditional write's precondition, checked under the key's lock so no other commit of this
    /// process slips in between. A file whose sidecar does not describe it (changed by hand) matches
    /// no ETag. If-Match on a key that holds nothing is NoSuchKey, as S3 and MinIO answer.
    /// </summary>
    private void CheckWriteCondition(string bucket, string key, FileVersion? current, WriteCondition condition)
    {
        if (condition.IfMatch is { } etag)
        {
            if (current is not { } c) throw StorageException.ObjectNotFound(key);
            if (ValidSidecar(_layout.SidecarPath(bucket, key), key, c.Size, c.LastWriteUtc, c.Inode) is not { } s || !ReadConditions.ETagMatches(etag, s.ToInfo().ETag))
                throw new StorageException(StorageFault.PreconditionFailed, key);
        }
        if (condition.OnlyIfAbsent && current is not null) throw new StorageException(StorageFault.PreconditionFailed, key);
    }

    /// <summary>
    /// Renames the body over the key's current file; a new key goes to its plain file when that
    /// fits, else (a file, folder or link in the way, or a key no plain file can stand for) to its
    /// encoded file, where nothing can be in the way. The bucket's folder replaces only what holds
    /// the key now: a link it did not read through (out of the folder, to nothing, to a folder) is
    /// never replaced, written through or removed.
    /// </summary>
    /// <param name="move">Renames the new body to a path in a folder (replacing what is there, or not); false when something is in the way.</param>
    private static void MoveIntoPlace(Func<ConfinedFolder, string, bool, bool> move, KeyFiles files, KeyFile? current)
    {
        var inArea = current is { } c && c.Folder == files.Area;
        if (!inArea && files.Plain is not null && move(files.Bucket, files.Plain, current is not null)) return;
        if (!move(files.Area, files.Encoded, true)) throw new IOException($"The store's area is blocked at {new KeyFile(files.Area, files.Encoded)}.");
    }

    /// <summary>Where the key's body can be; refuses a key no store can hold, NoSuchBucket when there is no bucket.</summary>
    private KeyFiles FilesOf(string bucket, string key) => FilesIn(RequireBucket(bucket), bucket, key);

    /// <summary>The key's file open for reading, plain first (as <see cref="KeyFiles"/> says); null when there is none, or no bucket.</summary>
    private OpenFile? OpenIfExisting(string bucket, string key)
    {
        // A plain file lies in the bucket's folder, so opening it from the folder's handle proves
        // the bucket: a local hit makes no stat of the folder. A miss checks that the handle is
        // still the bucket's folder; an encoded key's file is kept apart, and is the bucket's only
        // while the bucket is there.
        if (_buckets.Find(bucket) is not { } folder) return null;
        KeyFiles files;
        try { files = FilesIn(folder, bucket, key); }
        catch (StorageException) when (_buckets.Current(bucket) is null) { return null; } // no bucket: a miss, whatever the key
        if (OpenPlain(files) is { } plain) return plain;
        if (_buckets.Current(bucket) is not { } current) return null;
        if (current != folder && OpenPlain(files with { Bucket = current }) is { } replaced) return replaced;
        return OpenForReading(new KeyFile(files.Area, files.Encoded));
    }

    private static OpenFile? OpenPlain(KeyFiles files) => files.Plain is null ? null : OpenForReading(new KeyFile(files.Bucket, files.Plain));

    private KeyFiles FilesIn(ConfinedFolder bucketFolder, string bucket, string key) =>
        new(bucketFolder, ObjectPaths.PlainPath(key), _area, EncodedKeys.PathOf(bucket, key));

    private static OpenFile? OpenForReading(KeyFile file) =>
        file.Folder.TryOpen(file.Relative) is { } opened ? new OpenFile(opened.File, opened.Version, file) : null;

    /// <summary>A body's file open for reading, the version the handle reads, and where it is.</summary>
    private readonly record struct OpenFile(SafeFileHandle File, FileVersion Version, KeyFile Key);

    /// <summary>
    /// The description of the open file's version: from its sidecar when that describes this
    /// version; otherwise (a plain file put there by hand, or a sidecar left stale by a crash)
    /// computed from the bytes and cached in a new sidecar.
    /// </summary>
    private async Task<ObjectInfo> DescribeAsync(string bucket, string key, OpenFile opened, CancellationToken ct)
    {
        var (file, version, path) = opened;
        if (_described.TryGet(bucket, key, version) is { } known) return known;
        var (size, lastWrite, inode) = (version.Size, version.LastWriteUtc, version.Inode);
        var sidecarPath = _layout.SidecarPath(bucket, key);
        if (ValidSidecar(sidecarPath, key, size, lastWrite, inode) is { } sidecar)
        {
            if (sidecar.Unflushed is { } unflushed && unflushed.BootId != _options.BootId)
                return await CheckUnflushedAsync(bucket, key, path, file, version, sidecar, ct);
            var info = sidecar.ToInfo();
            _described.Remember(bucket, key, version, info);
            return info;
        }
        // A commit (sidecar, then rename) holds the key's lock: wait it out before hashing the file.
        using (await _locks.AcquireAsync(bucket, key, ct))
        {
            if (ValidSidecar(sidecarPath, key, size, lastWrite, inode) is { } committed) return committed.ToInfo();
            // Not a file put there by hand: what a power cut left of a body committed unflushed.
            if (ObjectSidecar.TryRead(sidecarPath) is { } stale && stale.Key == key && IsUnflushedInEarlierBoot(stale))
                throw RemoveTorn(bucket, key, path, version);
        }

        var computed = await ComputeSidecarAsync(key, file, version, ct);
        using (await _locks.AcquireAsync(bucket, key, ct))
        {
            // A commit may have raced us to it, with metadata a computed sidecar lacks.
            if (ValidSidecar(sidecarPath, key, size, lastWrite, inode) is { } committed) return committed.ToInfo();
            if (path.Version() is { } current && computed.Describes(current.Size, current.LastWriteUtc, current.Inode))
                Keep(computed, sidecarPath);
        }
        return computed.ToInfo();
    }

    /// <summary>
    /// Writes a description a read worked out, to spare the next read the work. A full disk only
    /// costs that: the read is served all the same (reads go on while nothing can be written).
    /// </summary>
    private void Keep(ObjectSidecar sidecar, string sidecarPath)
    {
        try { sidecar.Write(sidecarPath, _layout.NewTempPath()); }
        catch (IOException e) when (DiskFull.Caused(e)) { }
    }

    /// <summary>The sidecar's description of the file version given (its current or its previous one), or null.</summary>
    private static ObjectSidecar? ValidSidecar(string sidecarPath, string key, long size, DateTime lastWrite, ulong? inode = null) =>
        ValidSidecarVersioned(sidecarPath, key, size, lastWrite, inode)?.Sidecar;

    /// <summary>As <see cref="ValidSidecar"/>, with the version of the sidecar's own file as read.</summary>
    private static (ObjectSidecar Sidecar, FileVersion File)? ValidSidecarVersioned(string sidecarPath, string key, long size, DateTime lastWrite, ulong? inode) =>
        ObjectSidecar.TryReadVersioned(sidecarPath) is var (s, file) && s.Key == key && s.Describing(size, lastWrite, inode) is { } described ? (described, file) : null;

    private static async Task<ObjectSidecar> ComputeSidecarAsync(string key, SafeFileHandle file, FileVersion version, CancellationToken ct)
    {
        // By the key's extension: an encoded file's name has none.
        var metadata = ContentTypes.TryGetContentType(key, out var type) ? new ObjectMetadata { ContentType = type } : ObjectMetadata.Empty;
        var etag = "\"" + await Md5HexAsync(file, version.Size, ct) + "\"";
        return ObjectSidecar.For(key, version, etag, new DateTimeOffset(version.LastWriteUtc, TimeSpan.Zero), metadata);
    }

    private static async Task<string> Md5HexAsync(SafeFileHandle file, long size, CancellationToken ct)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var buffer = ArrayPool<byte>.Shared.Rent(128 * 1024);
        try
        {
            for (long offset = 0; offset < size;)
            {
                var n = await RandomAccess.ReadAsync(file, buffer, offset, ct);
                if (n == 0) break;
                md5.AppendData(buffer, 0, n);
                offset += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return Convert.ToHexStringLower(md5.GetHashAndReset());
    }

    private bool IsUnflushedInEarlierBoot(ObjectSidecar sidecar) =>
        sidecar.Unflushed is { } u && u.BootId != _options.BootId || sidecar.Previous is { } p && IsUnflushedInEarlierBoot(p);

    /// <summary>
    /// A body committed unflushed in an earlier boot (<see cref="Unflushed"/>): whole when its MD5
    /// still matches, and then flushed and its mark dropped, so it is checked only once; otherwise
    /// what a power cut left of it, which is removed and read as missing (a fill fetches it again).
    /// </summary>
    private async Task<ObjectInfo> CheckUnflushedAsync(string bucket, string key, KeyFile path, SafeFileHandle file, FileVersion version, ObjectSidecar sidecar, CancellationToken ct)
    {
        var whole = await Md5HexAsync(file, version.Size, ct) == sidecar.Unflushed!.Md5;
        if (whole) RandomAccess.FlushToDisk(file);
        using (await _locks.AcquireAsync(bucket, key, ct))
        {
            if (!whole) throw RemoveTorn(bucket, key, path, version);
            // Only while this version is in place: a commit since has written its own sidecar.
            if (path.Version() == version) Keep(sidecar with { Unflushed = null }, _layout.SidecarPath(bucket, key));
        }
        var info = sidecar.ToInfo();
        _described.Remember(bucket, key, version, info);
        return info;
    }

    /// <summary>Removes the torn body (if still in place) and its sidecar; the caller holds the key's lock.</summary>
    private StorageException RemoveTorn(string bucket, string key, KeyFile path, FileVersion version)
    {
        if (path.Version() == version)
        {
            Unsettle(bucket, key, removing: true);
            path.Folder.Delete(path.Relative);
            File.Delete(_layout.SidecarPath(bucket, key));
            Settle(bucket, key);
        }
        return StorageException.ObjectNotFound(key);
    }
}
