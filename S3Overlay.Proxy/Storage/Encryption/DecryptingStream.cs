using System.Buffers;
using System.Security.Cryptography;
using S3Overlay.Storage;

namespace S3Overlay.Storage.Encryption;

/// <summary>
/// Reads segments (<see cref="Segment"/>) and yields their plaintext, a package at a time, each
/// package authenticated before any of its bytes go out. It starts either at a segment's header
/// or, for a range, at a package whose segment is already known; it reads every later segment's
/// header as it comes. A package that does not authenticate ends the read with an error, so a
/// damaged or substituted byte is never served.
/// </summary>
internal sealed class DecryptingStream : S3Overlay.Streams.PayloadStream
{
    private readonly Stream _sealedBody;
    private readonly byte[] _dataKey;
    private readonly byte[] _sealed = ArrayPool<byte>.Shared.Rent(Segment.SealedPackageSize);
    private readonly byte[] _plain = ArrayPool<byte>.Shared.Rent(Segment.PackageSize);
    private AesGcm? _cipher;
    private long _segmentLength;
    private long _index;
    private int _plainStart, _plainEnd;
    private long _skip;
    private long _remaining;

    /// <param name="start">The segment and package the body starts at; null when it starts at a segment's header.</param>
    /// <param name="skip">Plaintext bytes to drop before the first one to yield.</param>
    /// <param name="length">Plaintext bytes to yield.</param>
    public DecryptingStream(Stream sealedBody, byte[] dataKey, (byte[] Salt, long Length, long Package)? start, long skip, long length)
    {
        _sealedBody = sealedBody;
        _dataKey = dataKey;
        _skip = skip;
        _remaining = length;
        if (start is { } s) Enter(s.Salt, s.Length, s.Package);
    }

    private void Enter(byte[] salt, long length, long package)
    {
        _cipher?.Dispose();
        _cipher = Segment.Cipher(_dataKey, salt);
        _segmentLength = length;
        _index = package;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        while (_plainStart == _plainEnd)
        {
            if (_remaining == 0) return 0;
            await OpenNextAsync(ct);
        }
        var n = (int)Math.Min(Math.Min(buffer.Length, _plainEnd - _plainStart), _remaining);
        _plain.AsMemory(_plainStart, n).CopyTo(buffer);
        _plainStart += n;
        _remaining -= n;
        return n;
    }

    private async Task OpenNextAsync(CancellationToken ct)
    {
        if (_cipher is null || _index == Segment.Packages(_segmentLength))
        {
            await FillAsync(Segment.HeaderSize, ct);
            var header = Segment.ReadHeader(_sealed.AsSpan(0, Segment.HeaderSize)) ?? throw Corrupt();
            Enter(header.Salt, header.Plaintext, 0);
        }
        var plain = (int)Math.Min(Segment.PackageSize, _segmentLength - _index * Segment.PackageSize);
        await FillAsync(plain + Segment.TagSize, ct);
        Span<byte> nonce = stackalloc byte[12];
        Span<byte> data = stackalloc byte[Segment.AssociatedDataSize];
        Segment.Nonce(nonce, _index);
        Segment.AssociatedData(data, _index, _segmentLength);
        try
        {
            _cipher!.Decrypt(nonce, _sealed.AsSpan(0, plain), _sealed.AsSpan(plain, Segment.TagSize), _plain.AsSpan(0, plain), data);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw Corrupt();
        }
        _index++;
        var skip = (int)Math.Min(_skip, plain);
        _skip -= skip;
        _plainStart = skip;
        _plainEnd = plain;
    }

    private async Task FillAsync(int count, CancellationToken ct)
    {
        var got = 0;
        while (got < count)
        {
            var n = await _sealedBody.ReadAsync(_sealed.AsMemory(got, count - got), ct);
            if (n == 0) throw Corrupt();
            got += n;
        }
    }

    private static IOException Corrupt() => new("An encrypted object's package did not authenticate: its stored bytes are damaged or not its own.");

    private bool _disposed;

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _cipher?.Dispose();
            _sealedBody.Dispose();
            ArrayPool<byte>.Shared.Return(_sealed);
            ArrayPool<byte>.Shared.Return(_plain);
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        // The sealed body may be a socket's: let it close without blocking a thread.
        await _sealedBody.DisposeAsync();
        await base.DisposeAsync();
    }
}
