using System.Text;
using S3Overlay.Storage;
using S3Overlay.Storage.Errors;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Storage;

/// <summary>Conditional writes: what lets the overlay's fills never replace a client's write.</summary>
public abstract partial class ObjectStoreContract
{
    [Fact]
    public async Task A_write_only_if_absent_stores_over_nothing_and_refuses_over_an_object()
    {
        Requires(HonoursWriteConditions, nameof(HonoursWriteConditions));
        var first = await Store.PutObjectAsync(Bucket, "cond/absent", Body("first"), new ObjectWrite { OnlyIfAbsent = true }, None);

        await AssertS3ErrorAsync("PreconditionFailed", () =>
            Store.PutObjectAsync(Bucket, "cond/absent", Body("second"), new ObjectWrite { OnlyIfAbsent = true }, None));

        await using var kept = await Store.GetObjectAsync(Bucket, "cond/absent", ObjectReadRequest.Whole, None);
        Assert.Equal("first", Encoding.UTF8.GetString(await ReadAllAsync(kept.Body)));
        Assert.Equal(first.ETag, kept.Info.ETag);
    }

    [Fact]
    public async Task A_write_if_match_replaces_only_that_version()
    {
        Requires(HonoursWriteConditions, nameof(HonoursWriteConditions));
        var v1 = await Store.PutObjectAsync(Bucket, "cond/match", Body("one"), ObjectWrite.Empty, None);
        var v2 = await Store.PutObjectAsync(Bucket, "cond/match", Body("two"), new ObjectWrite { IfMatch = v1.ETag }, None);

        // v1 is gone now: a write that expects it changes nothing.
        await AssertS3ErrorAsync("PreconditionFailed", () =>
            Store.PutObjectAsync(Bucket, "cond/match", Body("three"), new ObjectWrite { IfMatch = v1.ETag }, None));
        // If-Match on a key that holds nothing: NoSuchKey, as S3 and MinIO answer.
        await AssertS3ErrorAsync("NoSuchKey", () =>
            Store.PutObjectAsync(Bucket, "cond/missing", Body("x"), new ObjectWrite { IfMatch = v1.ETag }, None));

        await using var kept = await Store.GetObjectAsync(Bucket, "cond/match", ObjectReadRequest.Whole, None);
        Assert.Equal("two", Encoding.UTF8.GetString(await ReadAllAsync(kept.Body)));
        Assert.Equal(v2.ETag, kept.Info.ETag);
        await AssertS3ErrorAsync("NoSuchKey", () => Store.HeadObjectAsync(Bucket, "cond/missing", ReadConditions.None, None));
    }

    [Fact]
    public async Task Concurrent_writes_only_if_absent_of_one_new_key_store_exactly_one()
    {
        Requires(HonoursWriteConditions, nameof(HonoursWriteConditions));
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            await Task.Yield();
            try
            {
                return (await Store.PutObjectAsync(Bucket, "cond/race", Body($"writer {i}"), new ObjectWrite { OnlyIfAbsent = true }, None)).ETag;
            }
            catch (StorageException e) when (e.Error.Code is "PreconditionFailed" or "ConditionalRequestConflict")
            {
                return null;
            }
        }));
        var winner = Assert.Single(outcomes, etag => etag is not null);
        Assert.Equal(winner, (await Store.HeadObjectAsync(Bucket, "cond/race", ReadConditions.None, None)).ETag);
    }

    [Fact]
    public async Task A_multipart_completion_is_conditioned_like_a_write_and_a_refused_one_leaves_the_upload()
    {
        Requires(HonoursWriteConditions, nameof(HonoursWriteConditions));
        Requires(TracksMultipartUploads, nameof(TracksMultipartUploads));
        Requires(HonoursCompletionConditions, nameof(HonoursCompletionConditions));
        var existing = await Store.PutObjectAsync(Bucket, "cond/mpu", Body("there"), ObjectWrite.Empty, None);
        var uploadId = await Store.CreateMultipartUploadAsync(Bucket, "cond/mpu", ObjectWrite.Empty, None);
        var part = await Store.UploadPartAsync(Bucket, "cond/mpu", uploadId, 1, Body("parts"), new ObjectWrite { ContentLength = 5 }, None);
        IReadOnlyList<CompletedPart> parts = [new(1, part.ETag)];

        await AssertS3ErrorAsync("PreconditionFailed", () => Store.CompleteMultipartUploadAsync(Bucket, "cond/mpu", uploadId, parts, null, new WriteCondition(OnlyIfAbsent: true), None));
        await AssertS3ErrorAsync("PreconditionFailed", () => Store.CompleteMultipartUploadAsync(Bucket, "cond/mpu", uploadId, parts, null, new WriteCondition(IfMatch: "\"0123456789abcdef0123456789abcdef\""), None));
        var elsewhere = await Store.CreateMultipartUploadAsync(Bucket, "cond/absent", ObjectWrite.Empty, None);
        var its = await Store.UploadPartAsync(Bucket, "cond/absent", elsewhere, 1, Body("parts"), new ObjectWrite { ContentLength = 5 }, None);
        await AssertS3ErrorAsync("NoSuchKey", () => Store.CompleteMultipartUploadAsync(Bucket, "cond/absent", elsewhere, [new(1, its.ETag)], null, new WriteCondition(IfMatch: existing.ETag), None));
        Assert.Equal(existing.ETag, (await Store.HeadObjectAsync(Bucket, "cond/mpu", ReadConditions.None, None)).ETag);

        var done = await Store.CompleteMultipartUploadAsync(Bucket, "cond/mpu", uploadId, parts, null, new WriteCondition(IfMatch: existing.ETag), None);
        await using var content = await Store.GetObjectAsync(Bucket, "cond/mpu", ObjectReadRequest.Whole, None);
        Assert.Equal("parts", Encoding.UTF8.GetString(await ReadAllAsync(content.Body)));
        Assert.Equal(done.ETag, content.Info.ETag);
    }

    [Fact]
    public async Task A_delete_if_match_removes_only_that_object()
    {
        var v1 = await Store.PutObjectAsync(Bucket, "cond/delete", Body("one"), ObjectWrite.Empty, None);
        var v2 = await Store.PutObjectAsync(Bucket, "cond/delete", Body("two"), ObjectWrite.Empty, None);

        // v1 was replaced: a delete that expects it deletes nothing.
        await AssertS3ErrorAsync("PreconditionFailed", () => Store.DeleteObjectVersionAsync(Bucket, "cond/delete", null, new ObjectDelete(IfMatch: v1.ETag), None));
        Assert.Equal(v2.ETag, (await Store.HeadObjectAsync(Bucket, "cond/delete", ReadConditions.None, None)).ETag);

        await Store.DeleteObjectVersionAsync(Bucket, "cond/delete", null, new ObjectDelete(IfMatch: v2.ETag), None);
        await AssertS3ErrorAsync("NoSuchKey", () => Store.HeadObjectAsync(Bucket, "cond/delete", ReadConditions.None, None));
        // If-Match where the key holds nothing: NoSuchKey, as S3 answers (without it, 204).
        await AssertS3ErrorAsync("NoSuchKey", () => Store.DeleteObjectVersionAsync(Bucket, "cond/delete", null, new ObjectDelete(IfMatch: "*"), None));
        await Store.DeleteObjectVersionAsync(Bucket, "cond/delete", null, ObjectDelete.Plain, None);

        await Store.PutObjectAsync(Bucket, "cond/delete", Body("three"), ObjectWrite.Empty, None);
        await Store.DeleteObjectVersionAsync(Bucket, "cond/delete", null, new ObjectDelete(IfMatch: "*"), None);
        await AssertS3ErrorAsync("NoSuchKey", () => Store.HeadObjectAsync(Bucket, "cond/delete", ReadConditions.None, None));
    }

    private static MemoryStream Body(string text) => new(Encoding.UTF8.GetBytes(text));
}
