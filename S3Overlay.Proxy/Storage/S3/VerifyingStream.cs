using System.Security.Cryptography;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Payloads;

namespace S3Overlay.Storage.S3;

/// <summary>
/// Passes a body through, refusing it before its last byte when it is shorter or longer than
/// promised or its MD5 differs: the reader (the HTTP upload, or whoever reads a remote body) then
/// fails instead of completing.
/// </summary>
/// <param name="ownsSource">Whether disposing this disposes <paramref name="source"/> (a remote body; an upload's body belongs to its request).</param>
internal sealed class VerifyingStream(Stream source, long expectedLength, byte[]? expectedMd5, bool ownsSource = false) : PayloadStream
{
    private readonly IncrementalHash? _md5 = expectedMd5 is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.MD5);
    private long _remaining = expectedLength;

    public long ExpectedLength { get; } = expectedLength;

    /// <summary>What went wrong with the body itself, as opposed to the upload.</summary>
    public Exception? Failure { get; private set; }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (_remaining == 0 || buffer.Length == 0) return 0;
        try
        {
            var n = await source.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], ct);
            if (n == 0) throw new S3Exception(S3Error.IncompleteBody);
            _md5?.AppendData(buffer.Span[..n]);
            _remaining -= n;
            if (_remaining == 0) await VerifyEndAsync(ct);
            return n;
        }
        catch (Exception e)
        {
            Failure ??= e;
            throw;
        }
    }

    /// <summary>Checks that the source ends here and that its MD5 is the one promised.</summary>
    public async Task VerifyEndAsync(CancellationToken ct)
    {
        try
        {
            var probe = new byte[1];
            if (await source.ReadAsync(probe, ct) != 0) throw new S3Exception(S3Error.IncompleteBody);
            if (_md5 is not null && !_md5.GetHashAndReset().AsSpan().SequenceEqual(expectedMd5))
                throw new S3Exception(S3Error.BadDigest);
        }
        catch (Exception e)
        {
            Failure ??= e;
            throw;
        }
    }

    public override long Length => ExpectedLength;
    public override long Position { get => ExpectedLength - _remaining; set => throw new NotSupportedException(); }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _md5?.Dispose();
            if (ownsSource) source.Dispose();
        }
        base.Dispose(disposing);
    }
}
