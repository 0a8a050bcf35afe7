using System.Buffers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Win32.SafeHandles;
using S3Overlay.S3.Errors;

namespace S3Overlay.Storage.FileSystem;

public sealed partial class FileSystemObjectStore
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public async Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ReadConditions conditions, CancellationToken ct)
    {
        var path = ObjectFile(bucket, key);
        await using var file = OpenForReading(path) ?? throw S3Exception.NoSuchKey(key);
        var info = await DescribeAsync(bucket, key, path, file.SafeFileHandle, ct);
        conditions.Evaluate(info);
        return info;
    }

    public async Task<ObjectContent> GetObjectAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct)
    {
        var path = ObjectFile(bucket, key);
        var file = OpenForReading(path) ?? throw S3Exception.NoSuchKey(key);
        try
        {
            // Described from the open handle: the metadata matches the bytes served even if the key is overwritten now.
            var info = await DescribeAsync(bucket, key, path, file.SafeFileHandle, ct);
            request.Conditions.Evaluate(info);
            ResolvedRange? range = null;
            if (request.Range is { } asked)
            {
                range = asked.Resolve(info.Size) ?? throw S3Exception.InvalidRange(info.Size);
                file.Position = range.Value.Offset;
            }
            return new ObjectContent(info, new RangeReadStream(file, range?.Length ?? info.Size), range);
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }

    public async Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream body, ObjectWrite write, CancellationToken ct)
    {
        var bucketDir = RequireBucket(bucket);
        var path = ObjectPaths.FilePath(bucketDir, key);
        CheckNoConflict(bucketDir, path, key); // fail before reading a body that could not be stored
        using var temp = await TempBody.WriteAsync(_layout.NewTempPath(), body, write, ct);
        return await CommitAsync(bucket, key, temp, write, ct);
    }

    public string NewStagingPath() => _layout.NewTempPath();

    public async Task<ObjectInfo> PutStagedObjectAsync(string bucket, string key, string path, SafeFileHandle file, ObjectWrite write, CancellationToken ct)
    {
        var bucketDir = RequireBucket(bucket);
        var target = ObjectPaths.FilePath(bucketDir, key);
        CheckNoConflict(bucketDir, target, key);
        using var temp = await TempBody.StageAsync(path, file, write, ct);
        return await CommitAsync(bucket, key, temp, write, ct);
    }

    private Task<ObjectInfo> CommitAsync(string bucket, string key, TempBody temp, ObjectWrite write, CancellationToken ct) =>
        CommitAsync(bucket, key, temp, write.ETag ?? temp.QuotedMd5, write.LastModified, write.Metadata, temp.TrailingChecksums, ct, write);

    public async Task DeleteObjectAsync(string bucket, string key, CancellationToken ct)
    {
        var bucketDir = RequireBucket(bucket);
        string path;
        try { path = ObjectPaths.FilePath(bucketDir, key); }
        catch (S3Exception) { return; } // a key this store cannot hold does not exist: deleting it succeeds, as in S3
        using (await _locks.AcquireAsync(bucket, key, ct))
        {
            _described.Forget(bucket, key);
            if (File.Exists(path)) File.Delete(path);
            var sidecar = _layout.SidecarPath(bucket, key);
            if (File.Exists(sidecar)) File.Delete(sidecar);
        }
        PruneEmptyFolders(bucketDir, path);
    }

    /// <summary>
    /// Writes the new sidecar (keeping the old description in it), then renames the body into place,
    /// both under the key's lock so commits of one key do not interleave. A kill between the two
    /// leaves the old body, which the sidecar's previous description still names; a kill after the
    /// rename leaves the new body with its own description: never one version's bytes with the other's metadata.
    /// </summary>
    private async Task<ObjectInfo> CommitAsync(string bucket, string key, TempBody temp, string etag, DateTimeOffset? lastModified,
        ObjectMetadata metadata, IReadOnlyDictionary<string, string>? checksums, CancellationToken ct, ObjectWrite? condition = null)
    {
        var bucketDir = RequireBucket(bucket);
        var path = ObjectPaths.FilePath(bucketDir, key);
        var sidecarPath = _layout.SidecarPath(bucket, key);
        var sidecar = ObjectSidecar.For(key, temp.Version, etag, lastModified ?? _clock.GetUtcNow(), metadata, checksums);
        using (await _locks.AcquireAsync(bucket, key, CancellationToken.None))
        {
            // Shared with other commits, exclusive of DeleteBucket: an object answered 200 is never
            // removed with its bucket, and never resurrects a deleted bucket's folder.
            _bucketGate.EnterReadLock();
            try
            {
                if (!Directory.Exists(bucketDir)) throw S3Exception.NoSuchBucket(bucket);
                if (condition is not null) CheckWriteCondition(bucket, key, path, condition);
                _described.Forget(bucket, key);
                var previous = FileVersion.OfPath(path) is { } inPlace
                    ? ValidSidecar(sidecarPath, key, inPlace.Size, inPlace.LastWriteUtc, inPlace.Inode) : null;
                (sidecar with { Previous = previous }).Write(sidecarPath, _layout.NewTempPath());
                try { MoveIntoPlace(temp, bucketDir, path, key); }
                catch when (previous is null)
                {
                    File.Delete(sidecarPath); // describes nothing in place: leave no stray sidecar
                    throw;
                }
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
    /// no ETag.
    /// </summary>
    private void CheckWriteCondition(string bucket, string key, string path, ObjectWrite condition)
    {
        var current = new FileInfo(path);
        var holds = condition.IfMatch is { } etag
            ? current.Exists && ValidSidecar(_layout.SidecarPath(bucket, key), key, current.Length, current.LastWriteTimeUtc) is { } s
              && ReadConditions.ETagMatches(etag, s.ToInfo().ETag)
            : !(condition.OnlyIfAbsent && current.Exists);
        if (!holds) throw new S3Exception(S3Error.PreconditionFailed, key);
    }

    private static void MoveIntoPlace(TempBody temp, string bucketDir, string path, string key)
    {
        var parent = Path.GetDirectoryName(path)!;
        for (var attempt = 1; ; attempt++)
        {
            if (parent.Length > bucketDir.Length)
            {
                try { Directory.CreateDirectory(parent); }
                catch (IOException) { throw Conflict(key); }
            }
            if (Directory.Exists(path)) throw Conflict(key);
            try
            {
                temp.MoveTo(path);
                StoreFiles.FlushFolder(parent);
                return;
            }
            // A delete of the folder's last other object may prune the folder between mkdir and rename.
            catch (DirectoryNotFoundException) when (attempt < 3) { }
            catch (IOException) when (Directory.Exists(path)) { throw Conflict(key); }
        }
    }

    /// <summary>
    /// Refuses, before a body is read, a key whose file would be a folder or sit below a file.
    /// Creates nothing: folders appear only at commit, so a failed upload of <c>a/x</c> leaves no
    /// folder <c>a</c> behind to block the key <c>a</c>.
    /// </summary>
    private static void CheckNoConflict(string bucketDir, string path, string key)
    {
        for (var dir = Path.GetDirectoryName(path)!; dir.Length > bucketDir.Length; dir = Path.GetDirectoryName(dir)!)
            if (File.Exists(dir)) throw Conflict(key);
        if (Directory.Exists(path)) throw Conflict(key);
    }

    private static S3Exception Conflict(string key) => ObjectPaths.Invalid(key,
        "This store keeps keys as files, so it cannot hold both a key and keys below it (such as 'a' and 'a/b').");

    /// <summary>Removes folders emptied by a delete, so a key of the folder's name can be stored later.</summary>
    private static void PruneEmptyFolders(string bucketDir, string path)
    {
        for (var dir = Path.GetDirectoryName(path); dir is not null && dir.Length > bucketDir.Length; dir = Path.GetDirectoryName(dir))
        {
            try { Directory.Delete(dir); }
            catch (IOException) { return; } // not empty (or already gone): stop
        }
    }

    private string ObjectFile(string bucket, string key) => ObjectPaths.FilePath(RequireBucket(bucket), key);

    private static FileStream? OpenForReading(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.SequentialScan);
        }
        // Missing at the moment of the open: not an error, even if a commit creates it right after.
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && !File.Exists(path))
        {
            return null; // a folder, or below a file
        }
    }

    /// <summary>
    /// The description of the open file's version: from its sidecar when that describes this
    /// version; otherwise (a plain file put there by hand, or a sidecar left stale by a crash)
    /// computed from the bytes and cached in a new sidecar.
    /// </summary>
    private async Task<ObjectInfo> DescribeAsync(string bucket, string key, string path, SafeFileHandle file, CancellationToken ct)
    {
        var version = FileVersion.Of(file);
        if (_described.TryGet(bucket, key, version) is { } known) return known;
        var (size, lastWrite, inode) = (version.Size, version.LastWriteUtc, version.Inode);
        var sidecarPath = _layout.SidecarPath(bucket, key);
        if (ValidSidecar(sidecarPath, key, size, lastWrite, inode) is { } sidecar)
        {
            var info = sidecar.ToInfo();
            _described.Remember(bucket, key, version, info);
            return info;
        }
        // A commit (sidecar, then rename) holds the key's lock: wait it out before hashing the file.
        using (await _locks.AcquireAsync(bucket, key, ct))
            if (ValidSidecar(sidecarPath, key, size, lastWrite, inode) is { } committed) return committed.ToInfo();

        var computed = await ComputeSidecarAsync(key, path, file, version, ct);
        using (await _locks.AcquireAsync(bucket, key, ct))
        {
            // A commit may have raced us to it, with metadata a computed sidecar lacks.
            if (ValidSidecar(sidecarPath, key, size, lastWrite, inode) is { } committed) return committed.ToInfo();
            var current = new FileInfo(path);
            if (current.Exists && computed.Describes(current.Length, current.LastWriteTimeUtc))
                computed.Write(sidecarPath, _layout.NewTempPath());
        }
        return computed.ToInfo();
    }

    /// <summary>The sidecar's description of the file version given (its current or its previous one), or null.</summary>
    private static ObjectSidecar? ValidSidecar(string sidecarPath, string key, long size, DateTime lastWrite, ulong? inode = null) =>
        ObjectSidecar.TryRead(sidecarPath) is { } s && s.Key == key ? s.Describing(size, lastWrite, inode) : null;

    private static async Task<ObjectSidecar> ComputeSidecarAsync(string key, string path, SafeFileHandle file, FileVersion version, CancellationToken ct)
    {
        var (size, lastWrite) = (version.Size, version.LastWriteUtc);
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
        var metadata = ContentTypes.TryGetContentType(path, out var type) ? new ObjectMetadata { ContentType = type } : ObjectMetadata.Empty;
        var etag = "\"" + Convert.ToHexStringLower(md5.GetHashAndReset()) + "\"";
        return ObjectSidecar.For(key, version, etag, new DateTimeOffset(lastWrite, TimeSpan.Zero), metadata);
    }
}
