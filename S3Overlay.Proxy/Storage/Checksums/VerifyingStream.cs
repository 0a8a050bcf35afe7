using S3Overlay.Storage.Errors;
using S3Overlay.Streams;

namespace S3Overlay.Storage.Checksums;

/// <summary>
/// Passes a body through unchanged while checking it: its length, when one was promised, and
/// every digest in <paramref name="checks"/>. A wrong body fails the read that would complete it:
/// with a promised length, before its last byte is handed over (so an HTTP upload reading it
/// fails instead of completing); without one, on the read that reaches the end. A store commits
/// only after reading to the end, so a wrong body is never kept.
/// </summary>
/// <param name="expectedLength">The length promised; a source that ends sooner or goes on longer fails with IncompleteBody.</param>
/// <param name="ownsSource">Whether disposing this disposes <paramref name="source"/> (a remote body; a request's body belongs to its request).</param>
internal sealed class VerifyingStream(Stream source, IReadOnlyList<PayloadCheck> checks, long? expectedLength = null, bool ownsSource = false) : PayloadStream
{
    private long _position;
    private bool _verified;

    public long? ExpectedLength => expectedLength;

    /// <summary>What went wrong with the body itself (short, long, a digest, the source), as opposed to whoever reads it.</summary>
    public Exception? Failure { get; private set; }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0 || _verified) return 0;
        try
        {
            if (expectedLength is { } length) buffer = buffer[..(int)Math.Min(buffer.Length, length - _position)];
            var n = buffer.IsEmpty ? 0 : await source.ReadAsync(buffer, cancellationToken);
            if (n == 0)
            {
                if (_position < expectedLength) throw new StorageException(StorageFault.IncompleteBody);
                await VerifyEndAsync(cancellationToken);
                return 0;
            }
            foreach (var check in checks) check.Append(buffer.Span[..n]);
            _position += n;
            if (_position == expectedLength) await VerifyEndAsync(cancellationToken);
            return n;
        }
        catch (Exception e)
        {
            Failure ??= e;
            throw;
        }
    }

    /// <summary>
    /// Checks that the source ends here (when a length was promised) and that every digest matches.
    /// Called by the read that completes the body; an empty body is never read by an upload, so its
    /// owner calls this itself.
    /// </summary>
    public async Task VerifyEndAsync(CancellationToken ct)
    {
        if (_verified) return;
        _verified = true;
        try
        {
            if (expectedLength is not null && await source.ReadAsync(new byte[1], ct) != 0)
                throw new StorageException(StorageFault.IncompleteBody);
            foreach (var check in checks) check.Verify();
        }
        catch (Exception e)
        {
            Failure ??= e;
            throw;
        }
    }

    public override long Length => expectedLength ?? throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var check in checks) check.Dispose();
            if (ownsSource) source.Dispose();
        }
        base.Dispose(disposing);
    }
}
