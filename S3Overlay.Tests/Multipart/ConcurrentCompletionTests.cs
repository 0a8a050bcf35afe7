using System.Diagnostics;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Multipart;

/// <summary>Completing one upload (a long concatenation) must not stall the parts of another.</summary>
[FunctionalTests]
public sealed class ConcurrentCompletionTests
{
    private const string Bucket = "multipart";

    [Fact]
    public async Task An_upload_being_completed_does_not_block_parts_of_another()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) Assert.Skip("the gate is a named pipe (mkfifo)");
        await using var proxy = await ProxyServer.StartAsync();
        using var s3 = proxy.CreateClient(defaults: false);
        await s3.PutBucketAsync(Bucket);
        var body = new byte[4096];
        PatternData.Fill(body, 0, seed: 6);

        var slow = (await s3.InitiateMultipartUploadAsync(Bucket, "slow")).UploadId;
        var part = await s3.UploadPartAsync(new UploadPartRequest
        {
            BucketName = Bucket, Key = "slow", UploadId = slow, PartNumber = 1, InputStream = new MemoryStream(body), UseChunkEncoding = false,
        });
        // The stored part becomes a named pipe: the completion's concatenation blocks reading it
        // until the test writes the bytes, a gate inside the store with no timing involved.
        var partFile = Path.Join(proxy.DataDir, ".s3overlay", "uploads", Bucket, slow, "00001.part");
        File.Delete(partFile);
        using (var mkfifo = Process.Start("mkfifo", partFile)) await mkfifo.WaitForExitAsync();

        // Another upload that a striped lock table would have put on the completing upload's stripe.
        string other;
        do other = (await s3.InitiateMultipartUploadAsync(Bucket, "other")).UploadId;
        while ((uint)HashCode.Combine(Bucket, other) % 64 != (uint)HashCode.Combine(Bucket, slow) % 64);

        var completing = s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket, Key = "slow", UploadId = slow, PartETags = [new PartETag(1, part.ETag)],
        });
        // Opening the pipe for writing returns once the completion has opened it: it is mid-concatenation, holding its lock.
        await using (var gate = await Task.Run(() => new FileStream(partFile, FileMode.Open, FileAccess.Write)))
        {
            var otherPart = s3.UploadPartAsync(new UploadPartRequest
            {
                BucketName = Bucket, Key = "other", UploadId = other, PartNumber = 1, InputStream = new MemoryStream(body), UseChunkEncoding = false,
            });
            var finished = await Task.WhenAny(otherPart, Task.Delay(TimeSpan.FromSeconds(30)));
            Assert.True(finished == otherPart, "UploadPart of another upload waited for the completion");
            Assert.Equal(System.Net.HttpStatusCode.OK, (await otherPart).HttpStatusCode);
            Assert.False(completing.IsCompleted);
            await gate.WriteAsync(body);
        }

        Assert.Equal(System.Net.HttpStatusCode.OK, (await completing).HttpStatusCode);
        using var get = await s3.GetObjectAsync(Bucket, "slow");
        using var copy = new MemoryStream();
        await get.ResponseStream.CopyToAsync(copy);
        Assert.Equal(body, copy.ToArray());
    }
}
