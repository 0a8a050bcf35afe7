using System.Text;
using S3Overlay.Storage;

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
        await AssertS3ErrorAsync("PreconditionFailed", () =>
            Store.PutObjectAsync(Bucket, "cond/missing", Body("x"), new ObjectWrite { IfMatch = v1.ETag }, None));

        await using var kept = await Store.GetObjectAsync(Bucket, "cond/match", ObjectReadRequest.Whole, None);
        Assert.Equal("two", Encoding.UTF8.GetString(await ReadAllAsync(kept.Body)));
        Assert.Equal(v2.ETag, kept.Info.ETag);
        await AssertS3ErrorAsync("NoSuchKey", () => Store.HeadObjectAsync(Bucket, "cond/missing", ReadConditions.None, None));
    }

    private static MemoryStream Body(string text) => new(Encoding.UTF8.GetBytes(text));
}
