using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using S3Overlay.Storage.Checksums;
using S3Overlay.Storage.Errors;
using S3Overlay.Streams;

namespace S3Overlay.Storage.S3;

/// <summary>
/// A request body on its way to the server, checked as it goes: its length and Content-MD5 are
/// verified before its last byte is handed over, so a wrong body fails the upload and the
/// server stores nothing. A body of unknown length is spooled first (memory up to 1 MiB, then a
/// temporary file), because an S3 PUT needs its length up front.
/// </summary>
internal sealed class UploadBody : IAsyncDisposable
{
    private const int MemorySpoolLimit = 1024 * 1024;

    private readonly VerifyingStream _verifying;
    private readonly ServerWaitBound _bound;
    private readonly Stream? _spool;
    private readonly byte[]? _rented;

    private UploadBody(VerifyingStream verifying, Stream? spool, byte[]? rented)
    {
        _verifying = verifying;
        _bound = new ServerWaitBound(verifying);
        _spool = spool;
        _rented = rented;
    }

    public Stream Stream => _bound;
    public long Length => _verifying.Length;

    /// <summary>Whether the body itself failed (short, long, wrong MD5, client gone): the client's fault, not the server's.</summary>
    public bool Failed => _verifying.Failure is not null;

    /// <summary>Bounds how long the server may keep the call that sends this body waiting (<see cref="ServerWaitBound"/>).</summary>
    public void Bound(CancellationTokenSource call, TimeSpan timeout) => _bound.Bound(call, timeout);

    /// <summary>Whether the whole body was read before anything is sent: its trailing checksums are known by then.</summary>
    public bool Spooled => _spool is not null || _rented is not null;

    /// <param name="trailerFirst">Read a small body whole before sending it, so that the checksums of its trailer are known first.</param>
    public static async Task<UploadBody> OpenAsync(Stream body, ObjectWrite write, CancellationToken ct, bool trailerFirst = false)
    {
        var md5 = write.ContentMD5 is { } text ? ContentMd5.Parse(text) : null;
        if (write.ContentLength is { } length)
        {
            var verifying = new VerifyingStream(body, md5 is null ? [] : [PayloadCheck.Md5(md5)], length);
            // A small body whose checksums are known only at its end is read whole first, so they
            // travel with the PUT's metadata: sending it as it comes would leave them to a
            // metadata-rewriting copy afterwards, a second request that costs more than the wait.
            if (!trailerFirst || write.TrailingChecksums is null || length > MemorySpoolLimit)
                return await ReadyAsync(verifying, null, null, ct);
            // Its own length (and a byte to see its end), not the limit: the pool keeps what it is
            // given back, and a megabyte for each small body held over a hundred idle in the heap.
            return await SpoolAsync(verifying, null, ct, (int)length + 1);
        }
        // A spooled body is checked as it is spooled, before anything is sent.
        using var hash = md5 is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var spooled = await SpoolAsync(body, hash, ct);
        if (hash is not null && !hash.GetHashAndReset().AsSpan().SequenceEqual(md5))
        {
            await spooled.DisposeAsync();
            throw new StorageException(StorageFault.DigestMismatch);
        }
        return spooled;
    }

    /// <param name="inMemory">Up to how many bytes are kept in memory (more go to a file).</param>
    private static async Task<UploadBody> SpoolAsync(Stream body, IncrementalHash? hash, CancellationToken ct, int inMemory = MemorySpoolLimit)
    {
        var rented = ArrayPool<byte>.Shared.Rent(inMemory);
        try
        {
            var filled = 0;
            int read;
            while (filled < rented.Length && (read = await body.ReadAsync(rented.AsMemory(filled), ct)) > 0)
            {
                hash?.AppendData(rented.AsSpan(filled, read));
                filled += read;
            }
            if (filled < rented.Length)
                return await ReadyAsync(new VerifyingStream(new MemoryStream(rented, 0, filled, writable: false), [], filled), null, rented, ct);

            var file = new FileStream(Path.Combine(Path.GetTempPath(), "s3overlay-upload-" + Guid.NewGuid().ToString("N")),
                FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            try
            {
                await file.WriteAsync(rented.AsMemory(0, filled), ct);
                var buffer = rented.AsMemory(0, Math.Min(64 * 1024, rented.Length));
                while ((read = await body.ReadAsync(buffer, ct)) > 0)
                {
                    hash?.AppendData(buffer.Span[..read]);
                    await file.WriteAsync(buffer[..read], ct);
                }
                ArrayPool<byte>.Shared.Return(rented);
                rented = null;
                file.Position = 0;
                return await ReadyAsync(new VerifyingStream(file, [], file.Length), file, null, ct);
            }
            catch
            {
                await file.DisposeAsync();
                throw;
            }
        }
        catch
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
            throw;
        }
    }

    private static async Task<UploadBody> ReadyAsync(VerifyingStream verifying, Stream? spool, byte[]? rented, CancellationToken ct)
    {
        // An empty body is never read by the upload, so it is checked now.
        if (verifying.Length == 0) await verifying.VerifyEndAsync(ct);
        return new UploadBody(verifying, spool, rented);
    }

    /// <summary>Runs the upload; when the body itself failed (short, long, wrong MD5, client gone), that failure is what is thrown.</summary>
    public async Task<T> SendAsync<T>(Func<Task<T>> send)
    {
        try
        {
            return await send();
        }
        catch (Exception) when (_verifying.Failure is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_spool is not null) await _spool.DisposeAsync();
        if (_rented is not null) ArrayPool<byte>.Shared.Return(_rented);
    }
}
