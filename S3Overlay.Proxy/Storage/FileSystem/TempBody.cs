using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;
using S3Overlay.Storage.Checksums;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// A body streamed into a temp file under the reserved folder, with its MD5 computed on the way.
/// It is either renamed into place (<see cref="MoveTo"/>) or deleted on dispose: a failed,
/// short, corrupt or cancelled write leaves nothing behind.
/// </summary>
internal sealed class TempBody : IDisposable
{
    // Big enough to keep syscalls per byte low, small enough for the pool to keep around.
    private const int BufferSize = 128 * 1024;

    private TempBody(string path) => Path = path;

    public string Path { get; }
    public long Size { get; private set; }
    public byte[] Md5 { get; private set; } = [];
    /// <summary>The file's size, modification time and inode once written; a rename keeps them, so they identify this version.</summary>
    public FileVersion Version { get; private set; }
    public IReadOnlyDictionary<string, string>? TrailingChecksums { get; private set; }
    private bool _moved;

    public string QuotedMd5 => "\"" + Convert.ToHexStringLower(Md5) + "\"";

    /// <summary>Reads <paramref name="body"/> to its end into a new temp file and verifies it against <paramref name="write"/>.</summary>
    public static async Task<TempBody> WriteAsync(string tempPath, Stream body, ObjectWrite write, CancellationToken ct)
    {
        var temp = new TempBody(tempPath);
        try
        {
            await temp.FillAsync(ct, write.Durability == Durability.Flushed, async (file, md5, buffer) =>
            {
                int n;
                while ((n = await body.ReadAsync(buffer, ct)) > 0)
                {
                    temp.Size += n;
                    if (temp.Size > write.ContentLength) throw new StorageException(StorageFault.IncompleteBody);
                    md5.AppendData(buffer, 0, n);
                    await file.WriteAsync(buffer.AsMemory(0, n), ct);
                }
            });
            if (write.ContentLength is { } expected && temp.Size != expected) throw new StorageException(StorageFault.IncompleteBody);
            if (write.ContentMD5 is { } sent) CheckContentMd5(sent, temp.Md5);
            temp.TrailingChecksums = write.TrailingChecksums?.Invoke();
            return temp;
        }
        catch
        {
            temp.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Takes a file a caller wrote (<see cref="IStagingStore"/>) as the body: its length is checked,
    /// its MD5 computed only when the write asks for one, no ETag is given, or the body will not
    /// be flushed and its ETag is no MD5 (see <see cref="Unflushed"/>); a durable write is flushed to disk.
    /// </summary>
    public static async Task<TempBody> StageAsync(string path, SafeFileHandle file, ObjectWrite write, CancellationToken ct)
    {
        var temp = new TempBody(path);
        try
        {
            temp.Size = RandomAccess.GetLength(file);
            if (write.ContentLength is { } expected && temp.Size != expected) throw new StorageException(StorageFault.IncompleteBody);
            if (write.ContentMD5 is not null || write.ETag is null || (write.Durability == Durability.Unflushed && PlainETag.Md5Of(write.ETag) is null))
                temp.Md5 = await Md5Async(file, ct);
            if (write.ContentMD5 is { } sent) CheckContentMd5(sent, temp.Md5);
            if (write.Durability == Durability.Flushed) RandomAccess.FlushToDisk(file); // durable before the rename, as FillAsync
            temp.Version = FileVersion.Of(file);
            temp.TrailingChecksums = write.TrailingChecksums?.Invoke();
            return temp;
        }
        catch
        {
            temp.Dispose();
            throw;
        }
    }

    private static async Task<byte[]> Md5Async(SafeFileHandle file, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            int n;
            for (long at = 0; (n = await RandomAccess.ReadAsync(file, buffer, at, ct)) > 0; at += n) md5.AppendData(buffer, 0, n);
            return md5.GetHashAndReset();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Concatenates files (multipart parts) into a new temp file.</summary>
    public static async Task<TempBody> ConcatenateAsync(string tempPath, IEnumerable<string> sources, CancellationToken ct)
    {
        var temp = new TempBody(tempPath);
        try
        {
            await temp.FillAsync(ct, flush: true, async (file, md5, buffer) =>
            {
                foreach (var source in sources)
                {
                    await using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                    int n;
                    while ((n = await input.ReadAsync(buffer, ct)) > 0)
                    {
                        temp.Size += n;
                        md5.AppendData(buffer, 0, n);
                        await file.WriteAsync(buffer.AsMemory(0, n), ct);
                    }
                }
            });
            return temp;
        }
        catch
        {
            temp.Dispose();
            throw;
        }
    }

    private async Task FillAsync(CancellationToken ct, bool flush, Func<FileStream, IncrementalHash, byte[], Task> copy)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            await using (var file = StoreFiles.CreateOwnerOnly(Path, bufferSize: 0))
            {
                await copy(file, md5, buffer);
                // Durable before it is renamed into place: a crash then leaves the old object or the whole new one.
                file.Flush(flushToDisk: flush);
                Version = FileVersion.Of(file.SafeFileHandle);
            }
            Md5 = md5.GetHashAndReset();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void CheckContentMd5(string sent, byte[] actual)
    {
        if (!ContentMd5.Parse(sent).AsSpan().SequenceEqual(actual)) throw new StorageException(StorageFault.DigestMismatch);
    }

    /// <summary>Renames the temp file over <paramref name="target"/> (atomic on one file system).</summary>
    public void MoveTo(string target)
    {
        File.Move(Path, target, overwrite: true);
        _moved = true;
    }

    /// <summary>Renames the temp file into <paramref name="folder"/> at <paramref name="relative"/>; false when something is in the way (<see cref="ConfinedFolder.TryRenameInto"/>).</summary>
    public bool TryMoveInto(ConfinedFolder folder, string relative, bool replace, bool flush)
    {
        _moved = folder.TryRenameInto(Path, relative, replace, flush);
        return _moved;
    }

    public void Dispose()
    {
        if (_moved) return;
        try { File.Delete(Path); }
        catch (IOException) { } // a leftover temp file is removed by the cleanup service
    }
}
