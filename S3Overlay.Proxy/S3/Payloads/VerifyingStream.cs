namespace S3Overlay.S3.Payloads;

/// <summary>
/// Passes a payload through unchanged while computing digests over it, and fails the read that
/// reaches the end when one does not match: a store commits only after reading to the end, so a
/// mismatched body is never kept.
/// </summary>
public sealed class VerifyingStream(Stream inner, IReadOnlyList<PayloadCheck> checks) : PayloadStream
{
    private bool _verified;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken);
        if (n > 0)
            foreach (var check in checks) check.Append(buffer.Span[..n]);
        else if (buffer.Length > 0 && !_verified)
        {
            _verified = true;
            foreach (var check in checks) check.Verify();
        }
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) foreach (var check in checks) check.Dispose();
        base.Dispose(disposing);
    }
}
