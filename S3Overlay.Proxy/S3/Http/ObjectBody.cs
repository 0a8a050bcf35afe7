using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace S3Overlay.S3.Http;

/// <summary>Streams an object's bytes into a response; no object is ever held whole.</summary>
public static class ObjectBody
{
    /// <summary>64 KiB: large enough that a 1 MiB GET is 16 writes, small enough to pool (bench/ tunes it).</summary>
    public const int BufferSize = 64 * 1024;

    /// <summary>Sets Content-Length, then copies <paramref name="body"/> to the response through a pooled buffer.</summary>
    public static async Task SendAsync(HttpResponse response, Stream body, long length, CancellationToken ct)
    {
        response.ContentLength = length;
        if (length == 0) return;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var output = response.Body;
            int n;
            while ((n = await body.ReadAsync(buffer.AsMemory(0, BufferSize), ct)) > 0)
                await output.WriteAsync(buffer.AsMemory(0, n), ct);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
