using System.Buffers;
using System.Security.Cryptography;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Storage.Encryption;

/// <summary>
/// Reads a plaintext body and yields its segment (<see cref="Segment"/>), one package at a time.
/// The plaintext's length and Content-MD5 are checked here, before the last package is released,
/// so a short, long or corrupt body fails the store's write instead of being stored.
/// </summary>
internal sealed class EncryptingStream : S3Overlay.Streams.PayloadStream
{
    private readonly Stream _plain;
    private readonly AesGcm _cipher;
    private readonly long _length;
    private readonly string? _contentMd5;
    private readonly IncrementalHash? _md5;
    private readonly byte[] _plainBuffer = ArrayPool<byte>.Shared.Rent(Segment.PackageSize);
    private readonly byte[] _sealed = ArrayPool<byte>.Shared.Rent(Segment.SealedPackageSize);
    private int _sealedStart, _sealedEnd;
    private long _index;
    private long _read;
    private bool _done;

    public EncryptingStream(Stream plain, byte[] dataKey, byte[] salt, long length, string? contentMd5)
    {
        _plain = plain;
        _length = length;
        _cipher = Segment.Cipher(dataKey, salt);
        _contentMd5 = contentMd5;
        if (contentMd5 is not null) _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        Segment.Header(length, salt).CopyTo(_sealed, 0);
        _sealedEnd = Segment.HeaderSize;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (_sealedStart == _sealedEnd)
        {
            if (_done) return 0;
            await SealNextAsync(ct);
        }
        var n = Math.Min(buffer.Length, _sealedEnd - _sealedStart);
        _sealed.AsMemory(_sealedStart, n).CopyTo(buffer);
        _sealedStart += n;
        return n;
    }

    private async Task SealNextAsync(CancellationToken ct)
    {
        var want = (int)Math.Min(Segment.PackageSize, _length - _read);
        var got = 0;
        while (got < want)
        {
            var n = await _plain.ReadAsync(_plainBuffer.AsMemory(got, want - got), ct);
            if (n == 0) throw new StorageException(StorageFault.IncompleteBody);
            got += n;
        }
        _read += got;
        _md5?.AppendData(_plainBuffer, 0, got);
        if (_read == _length) await CheckEndAsync(ct);
        Span<byte> nonce = stackalloc byte[12];
        Span<byte> data = stackalloc byte[Segment.AssociatedDataSize];
        Segment.Nonce(nonce, _index);
        Segment.AssociatedData(data, _index, _length);
        _cipher.Encrypt(nonce, _plainBuffer.AsSpan(0, got), _sealed.AsSpan(0, got), _sealed.AsSpan(got, Segment.TagSize), data);
        _sealedStart = 0;
        _sealedEnd = got + Segment.TagSize;
        _index++;
    }

    /// <summary>The body must end exactly here, and match its Content-MD5, before its last package goes out.</summary>
    private async Task CheckEndAsync(CancellationToken ct)
    {
        _done = true;
        if (await _plain.ReadAsync(new byte[1], ct) != 0) throw new StorageException(StorageFault.IncompleteBody);
        if (_md5 is not null && Convert.ToBase64String(_md5.GetHashAndReset()) != _contentMd5) throw new StorageException(StorageFault.DigestMismatch);
    }

    private bool _disposed;

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _cipher.Dispose();
            _md5?.Dispose();
            ArrayPool<byte>.Shared.Return(_plainBuffer);
            ArrayPool<byte>.Shared.Return(_sealed);
        }
        base.Dispose(disposing);
    }
}
