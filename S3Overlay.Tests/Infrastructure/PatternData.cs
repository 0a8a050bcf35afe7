using System.Runtime.InteropServices;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// Deterministic object bodies of any size, generated as they are read (a 200 MiB object is never
/// an array), and checked the same way: every 8-byte word depends on its offset and a seed, so a
/// byte from the wrong place or from another version of an object is caught.
/// </summary>
public static class PatternData
{
    private const int Block = 64 * 1024;

    /// <summary>A seekable stream of <paramref name="length"/> pattern bytes (seekable, so SDK uploads know its length).</summary>
    public static Stream Open(long length, int seed) => new PatternStream(length, seed);

    /// <summary>Reads <paramref name="body"/> to its end; null when it is exactly the pattern's bytes [offset, offset+length), else what differs.</summary>
    public static async Task<string?> MismatchAsync(Stream body, long offset, long length, int seed)
    {
        var got = new byte[Block];
        var expected = new byte[Block];
        long position = offset;
        int read;
        while ((read = await body.ReadAtLeastAsync(got, Block, throwOnEndOfStream: false)) > 0)
        {
            if (position + read > offset + length) return $"the body is longer than {length} bytes";
            Fill(expected.AsSpan(0, read), position, seed);
            if (!got.AsSpan(0, read).SequenceEqual(expected.AsSpan(0, read)))
                return $"bytes {position - offset}..{position - offset + read - 1} of the body differ (seed {seed})";
            position += read;
        }
        return position == offset + length ? null : $"the body has {position - offset} bytes, not {length}";
    }

    /// <summary>Writes the pattern's bytes at [offset, offset + span.Length) into <paramref name="span"/>.</summary>
    public static void Fill(Span<byte> span, long offset, int seed)
    {
        // Whole words from the aligned word at or before offset, then the slice that was asked for.
        var skip = (int)(offset & 7);
        var words = (skip + span.Length + 7) / 8;
        Span<ulong> scratch = words <= 512 ? stackalloc ulong[words] : new ulong[words];
        var first = (ulong)(offset >> 3);
        var salt = (ulong)seed * 0xC2B2AE3D27D4EB4FUL;
        for (var i = 0; i < words; i++)
        {
            var x = (first + (ulong)i) * 0x9E3779B97F4A7C15UL ^ salt;
            scratch[i] = x ^ x >> 29;
        }
        MemoryMarshal.AsBytes(scratch).Slice(skip, span.Length).CopyTo(span);
    }

    private sealed class PatternStream(long length, int seed) : Stream
    {
        private long _position;

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Max(0, Math.Min(count, length - _position));
            Fill(buffer.AsSpan(offset, n), _position, seed);
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
