using Microsoft.Win32.SafeHandles;
using S3Overlay.Streams;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// A read-only view of <paramref name="length"/> bytes of a file from <paramref name="offset"/>;
/// owns the file. Reads are preads on the handle: a FileStream over it would cost a warm GET three
/// lseek calls of its own (measured with strace) for a position this stream keeps itself.
/// Unread, it hands the file over whole for the kernel to send (<see cref="IFileBody"/>).
/// </summary>
internal sealed class RangeReadStream(SafeFileHandle file, long offset, long length) : Stream, IFileBody
{
    private bool _handedOver;
    private long _remaining = length;
    private long _offset = offset;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    private readonly long _length = length;

    public override long Length => _length;
    public override long Position { get => _length - _remaining; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_remaining <= 0) return 0;
        var n = RandomAccess.Read(file, buffer[..(int)Math.Min(buffer.Length, _remaining)], _offset);
        _remaining -= n;
        _offset += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    /// <remarks>
    /// Read synchronously: .NET has no asynchronous file I/O on Linux, so an asynchronous read
    /// queues the same pread to the thread pool and resumes the caller from there: two thread
    /// hops a read, which cost a warm 4 KiB GET more than the read itself (the file's bytes are
    /// in the page cache). A read that does wait on the disk blocks a pool thread, as it would in
    /// the queued work item.
    /// </remarks>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (ct.IsCancellationRequested) return ValueTask.FromCanceled<int>(ct);
        try
        {
            return ValueTask.FromResult(Read(buffer.Span));
        }
        catch (Exception e)
        {
            return ValueTask.FromException<int>(e); // in the task, as an asynchronous read would report it
        }
    }

    public FileRange? TakeFile()
    {
        if (_remaining != _length || _handedOver) return null;
        _handedOver = true;
        _remaining = 0;
        return new FileRange(file, _offset, _length);
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_handedOver) file.Dispose();
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
