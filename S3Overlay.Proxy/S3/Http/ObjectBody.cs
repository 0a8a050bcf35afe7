using Microsoft.AspNetCore.Http;
using S3Overlay.Streams;

namespace S3Overlay.S3.Http;

/// <summary>Streams an object's bytes into a response; no object is ever held whole.</summary>
internal static class ObjectBody
{
    /// <summary>
    /// 256 KiB a read: a 1 MiB GET is 4 reads and sends. Measured on a warm 1 MiB GET (wrk -c16,
    /// three runs each on a busy machine): 490–540 µs of proxy CPU per MiB against 540–625 µs with
    /// 64 KiB reads, most of it less kernel time in the sends. A read returns what a remote body
    /// has, so a larger buffer never holds back the first bytes of a fill.
    /// </summary>
    public const int BufferSize = 256 * 1024;

    /// <summary>Smaller bodies are copied: one send with the headers costs less than a send and a sendfile.</summary>
    private const long KernelSendFrom = 64 * 1024;

    /// <summary>
    /// Sets Content-Length, then reads <paramref name="body"/> straight into the response pipe's
    /// own memory (a file store's body is a pread into it): no intermediate buffer, no extra copy.
    /// </summary>
    /// <remarks>
    /// The body is read until it ends, not just for <paramref name="length"/> bytes: a body may
    /// check or finish its work (a fill, a span) on the read that finds its end.
    /// </remarks>
    public static async Task SendAsync(HttpResponse response, Stream body, long length, CancellationToken ct)
    {
        response.ContentLength = length;
        if (length == 0) return;
        // Before the first byte: the progress is counted from the connection as it is now.
        if (body is IPacedBody { Paced: true } paced) paced.Progress = SocketReaderProgress.Of(response.HttpContext);
        var (done, sent) = length >= KernelSendFrom ? await TryKernelSendAsync(response, body, ct) : (false, 0);
        if (done) return;
        var output = response.BodyWriter;
        // No larger than what is left: a small object's read fits one of Kestrel's pooled 4 KiB
        // blocks instead of renting a buffer sized for large ones.
        var size = (int)Math.Clamp(length - sent, 1, BufferSize);
        while (true)
        {
            var n = await body.ReadAsync(output.GetMemory(size)[..size], ct);
            if (n == 0) break; // a body shorter than announced: Kestrel aborts the response for the missing bytes
            output.Advance(n);
            var flushed = await output.FlushAsync(ct);
            if (flushed.IsCompleted)
            {
                // The client has gone (its connection's output ended). Said outright, so Kestrel
                // does not also report the bytes never sent as the application's short body, an
                // error in the log for what is only a client that left.
                response.HttpContext.Abort();
                break;
            }
            if (flushed.IsCanceled) break;
        }
    }

    /// <summary>
    /// A body that is a file's range, on a plain HTTP/1.x connection: the kernel sends the file
    /// (<see cref="IKernelSendFeature"/>) in the place of as many stand-in bytes, which Kestrel
    /// counts against Content-Length and the connection neither keeps nor sends: nothing is read
    /// or copied. The flush after them returns once the file is sent. A body that is a file as it
    /// is written (<see cref="IFilePieces"/>, a fill) goes so piece by piece, as each is written,
    /// and is read for whatever it has left once it has no more pieces.
    /// </summary>
    /// <returns>Done: the whole body was sent, or the client has gone; else how much of it was sent.</returns>
    private static async Task<(bool Done, long Sent)> TryKernelSendAsync(HttpResponse response, Stream body, CancellationToken ct)
    {
        var context = response.HttpContext;
        if (body is not (IFileBody or IFilePieces) || context.Features.Get<IKernelSendFeature>() is not { Available: true } kernel
            || !(HttpProtocol.IsHttp11(context.Request.Protocol) || HttpProtocol.IsHttp10(context.Request.Protocol)))
            return (false, 0);
        if (body is IFileBody files && files.TakeFile() is { } file)
        {
            try
            {
                await response.StartAsync(ct); // the headers written: the file's place is right after them
            }
            catch
            {
                file.Dispose();
                throw;
            }
            await SendAsync(response, kernel, file, ct);
            return (true, file.Length);
        }
        // The first piece before the headers: a fill that fails before its first byte still gets an error answer.
        if (body is not IFilePieces pieces || await pieces.NextPieceAsync(ct) is not { } piece) return (false, 0);
        await response.StartAsync(ct);
        var sent = 0L;
        do
        {
            if (!await SendAsync(response, kernel, piece, ct)) return (true, sent);
            sent += piece.Length;
        }
        while ((piece = await pieces.NextPieceAsync(ct)) is not null);
        return (false, sent);
    }

    /// <summary>
    /// Hands the file to the kernel a slice of <see cref="BufferSize"/> at a time, each flushed as
    /// the copy loop flushes what it read. Kestrel's minimum response data rate gives a flush of
    /// bytes it was handed by Advance no more than its grace period (5 s), however many there are:
    /// a flush of a whole 20 MiB file waited for all of it, and readers of one fill on busy cores
    /// had their connections reset by that rule (3 of 22 runs of 32 concurrent cold reads, 29 Nov).
    /// A slice asks of a client what a copied buffer asks (S3_OVERLAY_SEND_TIMEOUT sets the grace).
    /// </summary>
    /// <returns>False when the client has gone (the response is then aborted).</returns>
    private static async Task<bool> SendAsync(HttpResponse response, IKernelSendFeature kernel, FileRange file, CancellationToken ct)
    {
        var output = response.BodyWriter;
        var handedOver = false; // the last slice owns the file once the connection has it
        try
        {
            for (var at = 0L; !handedOver; )
            {
                var length = Math.Min(BufferSize, file.Length - at);
                var last = at + length == file.Length;
                kernel.Send(new FileRange(file.File, file.Offset + at, length, OwnsFile: last && file.OwnsFile));
                handedOver = last;
                output.GetMemory((int)length);
                output.Advance((int)length);
                at += length;
                if ((await output.FlushAsync(ct)).IsCompleted)
                {
                    response.HttpContext.Abort(); // the client has gone, as below
                    return false;
                }
            }
            return true;
        }
        finally
        {
            if (!handedOver) file.Dispose();
        }
    }
}
