namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// Deterministic object bodies of any size, generated as they are read (a 200 MiB object is never
/// an array), and checked the same way: every byte depends on its offset and a seed, so a byte
/// from the wrong place or the wrong version of an object is caught.
/// </summary>
public static class PatternData
{
    public static byte At(long offset, int seed)
    {
        var x = (ulong)offset * 0x9E3779B97F4A7C15UL ^ (ulong)seed * 0xC2B2AE3D27D4EB4FUL;
        return (byte)(x >> 56 ^ x >> 29);
    }

    /// <summary>A seekable stream of <paramref name="length"/> pattern bytes (seekable, so SDK uploads know its length).</summary>
    public static Stream Open(long length, int seed) => new PatternStream(length, seed);

    /// <summary>Reads <paramref name="body"/> to its end; null when it is exactly the pattern's bytes [offset, offset+length), else what differs.</summary>
    public static async Task<string?> MismatchAsync(Stream body, long offset, long length, int seed)
    {
        var buffer = new byte[128 * 1024];
        long position = offset;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            for (var i = 0; i < read; i++)
                if (position + i >= offset + length || buffer[i] != At(position + i, seed))
                    return $"byte {position + i - offset} of the body differs (seed {seed})";
            position += read;
        }
        return position == offset + length ? null : $"the body has {position - offset} bytes, not {length}";
    }

    private sealed class PatternStream(long length, int seed) : Stream
    {
        private long _position;

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            for (var i = 0; i < n; i++) buffer[offset + i] = At(_position + i, seed);
            _position += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => _position = value; }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => _position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
