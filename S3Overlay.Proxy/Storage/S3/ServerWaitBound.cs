using S3Overlay.Streams;

namespace S3Overlay.Storage.S3;

/// <summary>
/// An upload's body that bounds how long the server may keep the request waiting on itself: from
/// the start until the first read, between two reads (the HTTP stack is writing to a server that
/// does not take the bytes), and from the last read until the answer. Time spent inside a read,
/// waiting for the client's own body, is not counted: a slow client is not a stalled server. So
/// a server that takes the whole body and never answers fails the upload like any silent server.
/// </summary>
internal sealed class ServerWaitBound(Stream body) : PayloadStream
{
    private CancellationTokenSource? _call;
    private TimeSpan _timeout;

    /// <summary>Starts bounding the call that sends this body: <paramref name="call"/> is cancelled when the server keeps it waiting <paramref name="timeout"/>.</summary>
    public void Bound(CancellationTokenSource call, TimeSpan timeout)
    {
        (_call, _timeout) = (call, timeout);
        call.CancelAfter(timeout);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        Arm(Timeout.InfiniteTimeSpan);
        var n = await body.ReadAsync(buffer, ct);
        Arm(_timeout);
        return n;
    }

    private void Arm(TimeSpan after)
    {
        try
        {
            _call?.CancelAfter(after);
        }
        catch (ObjectDisposedException)
        {
            // The call is over (the server answered before taking the whole body).
        }
    }

    public override long Length => body.Length;

    public override long Position { get => body.Position; set => throw new NotSupportedException(); }
}
