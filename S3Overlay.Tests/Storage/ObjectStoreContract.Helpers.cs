using System.Security.Cryptography;
using System.Text;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;
using S3Overlay.Storage.Errors;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Storage;

public abstract partial class ObjectStoreContract
{
    private protected Task<ObjectInfo> PutAsync(string key, byte[] data, ObjectMetadata? metadata = null, string? bucket = null) =>
        Store.PutObjectAsync(bucket ?? Bucket, key, new MemoryStream(data),
            new ObjectWrite { Metadata = metadata ?? ObjectMetadata.Empty, ContentLength = data.Length }, None);

    private protected static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    private protected static string Md5ETag(byte[] data) => "\"" + Convert.ToHexStringLower(MD5.HashData(data)) + "\"";

    private protected static async Task<byte[]> ReadAllAsync(Stream body)
    {
        using var copy = new MemoryStream();
        await body.CopyToAsync(copy);
        return copy.ToArray();
    }

    private protected static ObjectReadRequest Ranged(string header) => new(ByteRange.Parse(header), ReadConditions.None);

    private protected static async Task<StorageException> AssertS3ErrorAsync(string code, Func<Task> action)
    {
        var e = await Assert.ThrowsAsync<StorageException>(action);
        // The message too: a server's unexpected answer (a 502's) says what it was.
        Assert.True(e.Error.Code == code, $"{e.Error.Code}, not {code}: {e.Message}");
        return e;
    }

    /// <summary>Every entry (keys and common prefixes, in the order pages give them) of a listing, page by page.</summary>
    private protected async Task<List<string>> ListAllAsync(ListRequest request, string? bucket = null)
    {
        var all = new List<string>();
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages < 10_000, "the listing does not end");
            var page = await Store.ListObjectsAsync(bucket ?? Bucket, request, None);
            Assert.True(page.Objects.Count + page.CommonPrefixes.Count <= request.MaxKeys, "a page is larger than MaxKeys");
            // Within a page, keys and prefixes interleave in key order.
            all.AddRange(ByUtf8(page.Objects.Select(o => o.Key).Concat(page.CommonPrefixes)));
            if (!page.IsTruncated) return all;
            Assert.Equal(all[^1], page.NextStartAfter);
            request = request with { StartAfter = page.NextStartAfter };
        }
    }

    /// <summary>S3's order, computed independently of the stores: by UTF-8 bytes.</summary>
    private protected static List<string> ByUtf8(IEnumerable<string> names) =>
        names.OrderBy(n => Encoding.UTF8.GetBytes(n), ByteOrder.Instance).ToList();

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();
        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }

    /// <summary>A body that fails part-way, as a client that drops the connection does.</summary>
    private protected sealed class ThrowingStream(byte[] data, int failAt, Action? onFail = null) : Stream
    {
        private int _position;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position >= failAt)
            {
                onFail?.Invoke();
                throw new IOException("The client went away.");
            }
            var n = Math.Min(buffer.Length, failAt - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => data.Length;
        public override long Position { get => _position; set => _position = (int)value; }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
