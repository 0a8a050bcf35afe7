using System.Buffers;
using System.IO.Pipelines;

namespace S3Overlay.S3.Xml;

/// <summary>
/// The response's <see cref="PipeWriter"/> as the stream an <see cref="System.Xml.XmlWriter"/> writes
/// to: writes (sync or async) only copy into the pipe's buffers, and a flush sends them. So an
/// answer's many small elements are written by the writer's synchronous methods (a 1,000-key
/// listing spent 30 % of its server time in the asynchronous ones; half of that went with them),
/// and reach the client at each <c>FlushAsync</c>: every few hundred entries, and at the end. <see cref="PipeWriter.AsStream"/> is not this: its writes flush.
/// </summary>
internal sealed class BodyWriterStream(PipeWriter body) : Stream
{
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer) => body.Write(buffer);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override async Task FlushAsync(CancellationToken cancellationToken) => await body.FlushAsync(cancellationToken);

    /// <summary>Nothing is sent synchronously (Kestrel forbids it): what was written waits for the next <see cref="FlushAsync"/>.</summary>
    public override void Flush() { }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
