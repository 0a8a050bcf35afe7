using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Multipart;

/// <summary>
/// A part number uploaded twice at once (a client's retry racing the original): the upload that
/// finishes last is the part, whichever began first, as in S3. Ordered with a gate inside the
/// first body, not with timing.
/// </summary>
public sealed class ResentPartTests
{
    private const string Bucket = "resent";

    /// <summary>A body that sends its first half, says so, and sends the rest only once the gate opens.</summary>
    private sealed class GatedBody(byte[] bytes, Task gate) : MemoryStream(bytes)
    {
        public TaskCompletionSource HalfSent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            var half = Length / 2;
            if (Position >= half)
            {
                HalfSent.TrySetResult();
                await gate.WaitAsync(TimeSpan.FromSeconds(30), ct);
            }
            else if (Position + buffer.Length > half)
            {
                buffer = buffer[..(int)(half - Position)];
            }
            return await base.ReadAsync(buffer, ct);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();
    }

    [Fact]
    public async Task The_part_upload_that_finishes_last_is_the_one_completed()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var s3 = proxy.CreateClient(defaults: false);
        await s3.PutBucketAsync(Bucket);
        var first = new byte[256 * 1024];
        var second = new byte[256 * 1024];
        PatternData.Fill(first, 0, seed: 1);
        PatternData.Fill(second, 0, seed: 2);
        var uploadId = (await s3.InitiateMultipartUploadAsync(Bucket, "k")).UploadId;
        UploadPartRequest Part(Stream body) => new() { BucketName = Bucket, Key = "k", UploadId = uploadId, PartNumber = 1, InputStream = body, UseChunkEncoding = false };

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gated = new GatedBody(first, gate.Task);
        var begunFirst = s3.UploadPartAsync(Part(gated));
        await gated.HalfSent.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var finishedFirst = await s3.UploadPartAsync(Part(new MemoryStream(second)));
        gate.SetResult();
        var finishedLast = await begunFirst;

        var listed = Assert.Single((await s3.ListPartsAsync(new ListPartsRequest { BucketName = Bucket, Key = "k", UploadId = uploadId })).Parts);
        Assert.Equal(finishedLast.ETag, listed.ETag);
        var stale = await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket, Key = "k", UploadId = uploadId, PartETags = [new PartETag(1, finishedFirst.ETag)],
        }));
        Assert.Equal("InvalidPart", stale.ErrorCode);
        await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket, Key = "k", UploadId = uploadId, PartETags = [new PartETag(1, finishedLast.ETag)],
        });
        using var get = await s3.GetObjectAsync(Bucket, "k");
        Assert.Null(await PatternData.MismatchAsync(get.ResponseStream, 0, first.Length, seed: 1));
    }
}
