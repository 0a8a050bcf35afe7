using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3;

/// <summary>
/// Object tagging as S3 documents it (Get/Put/DeleteObjectTagging, <c>x-amz-tagging</c> on the
/// writes, the tagging directive of a copy, <c>x-amz-tagging-count</c>, S3's limits), with the
/// AWS SDK against every store.
/// </summary>
public abstract class ObjectTaggingTests(StoreTargets target) : EveryStoreTests(target)
{
    private static List<Tag> Tags(params (string Key, string Value)[] tags) => tags.Select(t => new Tag { Key = t.Key, Value = t.Value }).ToList();

    private async Task<Dictionary<string, string>> TagsOfAsync(string bucket, string key) =>
        ((await Client.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = key })).Tagging ?? [])
            .ToDictionary(t => t.Key, t => t.Value);

    private async Task<int?> TagCountOnGetAsync(string bucket, string key)
    {
        using var get = await Client.GetObjectAsync(bucket, key);
        return get.TagCount is > 0 ? get.TagCount : null;
    }

    /// <summary>s3rver 3.7.1 keeps tags only through PutObjectTagging: it ignores <c>x-amz-tagging</c> on the writes.</summary>
    private void SkipWhereWritesDropTags()
    {
        if (Kind == StoreKind.S3Local) Assert.Skip("s3rver 3.7.1 ignores x-amz-tagging on PutObject, CopyObject and CreateMultipartUpload (S3 keeps it; our S3 store sends it).");
    }

    private Task PutAsync(string bucket, string key, string body, List<Tag>? tags = null) =>
        Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = body, TagSet = tags });

    [Fact]
    public async Task Tags_sent_with_PutObject_are_kept_and_counted_on_GET()
    {
        SkipWhereWritesDropTags();
        var bucket = await Target.NewBucketAsync();
        await PutAsync(bucket, "tagged.txt", "hello", Tags(("project", "blue"), ("team name", "a b+c=d/e")));
        await PutAsync(bucket, "plain.txt", "hello");

        Assert.Equal(new Dictionary<string, string> { ["project"] = "blue", ["team name"] = "a b+c=d/e" }, await TagsOfAsync(bucket, "tagged.txt"));
        Assert.Equal(2, await TagCountOnGetAsync(bucket, "tagged.txt"));
        Assert.Empty(await TagsOfAsync(bucket, "plain.txt"));
        Assert.Null(await TagCountOnGetAsync(bucket, "plain.txt"));
    }

    [Fact]
    public async Task PutObjectTagging_replaces_the_tags_and_DeleteObjectTagging_removes_them_leaving_the_object_as_it_was()
    {
        var bucket = await Target.NewBucketAsync();
        await PutAsync(bucket, "k.txt", "content");
        var before = await Client.GetObjectMetadataAsync(bucket, "k.txt");
        // Past the second Last-Modified names, so a store that moved it would show.
        var wait = before.LastModified!.Value.ToUniversalTime().AddSeconds(1.1) - DateTime.UtcNow;
        if (wait > TimeSpan.Zero) await Task.Delay(wait);

        await Client.PutObjectTaggingAsync(new PutObjectTaggingRequest { BucketName = bucket, Key = "k.txt", Tagging = new Tagging { TagSet = Tags(("a", "1"), ("b", "2")) } });
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" }, await TagsOfAsync(bucket, "k.txt"));
        await Client.PutObjectTaggingAsync(new PutObjectTaggingRequest { BucketName = bucket, Key = "k.txt", Tagging = new Tagging { TagSet = Tags(("c", "")) } });
        Assert.Equal(new Dictionary<string, string> { ["c"] = "" }, await TagsOfAsync(bucket, "k.txt"));

        var deleted = await Client.DeleteObjectTaggingAsync(new DeleteObjectTaggingRequest { BucketName = bucket, Key = "k.txt" });
        Assert.Equal(HttpStatusCode.NoContent, deleted.HttpStatusCode);
        Assert.Empty(await TagsOfAsync(bucket, "k.txt"));

        // Tags are not the object: its ETag, Last-Modified and bytes are unchanged. RGW 16.2 moves
        // Last-Modified to the tagging's time (docs/stores.md).
        var after = await Client.GetObjectMetadataAsync(bucket, "k.txt");
        Assert.Equal(before.ETag, after.ETag);
        if (Kind != StoreKind.RgwLocal) Assert.Equal(before.LastModified, after.LastModified);
        using var get = await Client.GetObjectAsync(bucket, "k.txt");
        Assert.Equal("content", await new StreamReader(get.ResponseStream).ReadToEndAsync());
    }

    [Fact]
    public async Task GET_and_HEAD_tell_how_many_tags_the_object_has_now()
    {
        if (Kind == StoreKind.S3Local) Assert.Skip("s3rver 3.7.1 sends no x-amz-tagging-count, so the S3 store cannot tell it.");
        var bucket = await Target.NewBucketAsync();
        await PutAsync(bucket, "k.txt", "content");
        Assert.Null(await TagCountOnGetAsync(bucket, "k.txt"));
        Assert.Null(await TagCountOnHeadAsync(bucket, "k.txt"));
        await Client.PutObjectTaggingAsync(new PutObjectTaggingRequest { BucketName = bucket, Key = "k.txt", Tagging = new Tagging { TagSet = Tags(("a", "1"), ("b", "2"), ("c", "3")) } });
        Assert.Equal(3, await TagCountOnGetAsync(bucket, "k.txt"));
        // An S3 local store's HEAD does not read the tags (it would cost a request of every HEAD), so it cannot count them.
        Assert.Equal(Kind == StoreKind.RgwLocal ? null : "3", await TagCountOnHeadAsync(bucket, "k.txt"));
        await Client.DeleteObjectTaggingAsync(new DeleteObjectTaggingRequest { BucketName = bucket, Key = "k.txt" });
        Assert.Null(await TagCountOnGetAsync(bucket, "k.txt"));
        Assert.Null(await TagCountOnHeadAsync(bucket, "k.txt"));
    }

    /// <summary>HEAD's header as sent: the SDK reads it on GET only.</summary>
    private async Task<string?> TagCountOnHeadAsync(string bucket, string key)
    {
        using var head = await RawS3.SendAsync(Target.Proxy, HttpMethod.Head, $"/{bucket}/{key}");
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        return head.Headers.TryGetValues("x-amz-tagging-count", out var values) ? string.Join(",", values) : null;
    }

    [Fact]
    public async Task A_copy_keeps_the_source_tags_unless_the_tagging_directive_is_REPLACE()
    {
        SkipWhereWritesDropTags();
        var bucket = await Target.NewBucketAsync();
        await PutAsync(bucket, "src.txt", "source");
        await Client.PutObjectTaggingAsync(new PutObjectTaggingRequest { BucketName = bucket, Key = "src.txt", Tagging = new Tagging { TagSet = Tags(("origin", "src")) } });

        await Client.CopyObjectAsync(new CopyObjectRequest { SourceBucket = bucket, SourceKey = "src.txt", DestinationBucket = bucket, DestinationKey = "copied.txt" });
        await Client.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = bucket, SourceKey = "src.txt", DestinationBucket = bucket, DestinationKey = "replaced.txt",
            TaggingDirective = TaggingDirective.REPLACE, TagSet = Tags(("fresh", "yes")),
        });
        await Client.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = bucket, SourceKey = "src.txt", DestinationBucket = bucket, DestinationKey = "untagged.txt",
            TaggingDirective = TaggingDirective.REPLACE,
        });

        Assert.Equal(new Dictionary<string, string> { ["origin"] = "src" }, await TagsOfAsync(bucket, "copied.txt"));
        Assert.Equal(new Dictionary<string, string> { ["fresh"] = "yes" }, await TagsOfAsync(bucket, "replaced.txt"));
        Assert.Empty(await TagsOfAsync(bucket, "untagged.txt"));
    }

    [Fact]
    public async Task A_multipart_upload_keeps_the_tags_it_was_started_with()
    {
        SkipWhereWritesDropTags();
        if (Kind == StoreKind.RgwLocal) Assert.Skip("RGW 16.2.15 drops the x-amz-tagging of a CreateMultipartUpload (our S3 store sends it; it keeps a PutObject's).");
        var bucket = await Target.NewBucketAsync();
        var upload = await Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = "mp.bin", TagSet = Tags(("kind", "multipart")) });
        var part = await Client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = bucket, Key = "mp.bin", UploadId = upload.UploadId, PartNumber = 1, InputStream = new MemoryStream(S3Fixture.Pattern(1000)),
        });
        await Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = bucket, Key = "mp.bin", UploadId = upload.UploadId, PartETags = [new PartETag(1, part.ETag)],
        });

        Assert.Equal(new Dictionary<string, string> { ["kind"] = "multipart" }, await TagsOfAsync(bucket, "mp.bin"));
    }

    [Fact]
    public async Task Tags_beyond_S3s_limits_are_refused_with_S3s_errors_and_change_nothing()
    {
        var bucket = await Target.NewBucketAsync();
        await PutAsync(bucket, "k.txt", "v", Tags(("kept", "1")));

        async Task<AmazonS3Exception> Refused(List<Tag> tags) => await Assert.ThrowsAnyAsync<AmazonS3Exception>(() =>
            Client.PutObjectTaggingAsync(new PutObjectTaggingRequest { BucketName = bucket, Key = "k.txt", Tagging = new Tagging { TagSet = tags } }));

        var eleven = await Refused(Enumerable.Range(0, 11).Select(i => new Tag { Key = $"k{i}", Value = "v" }).ToList());
        Assert.Equal(("InvalidTag", HttpStatusCode.BadRequest), (eleven.ErrorCode, eleven.StatusCode));
        Assert.Equal("InvalidTag", (await Refused(Tags((new string('k', 129), "v")))).ErrorCode);
        Assert.Equal("InvalidTag", (await Refused(Tags(("k", new string('v', 257))))).ErrorCode);
        Assert.Equal("InvalidTag", (await Refused(Tags(("same", "1"), ("same", "2")))).ErrorCode);
        Assert.Equal("InvalidTag", (await Refused(Tags(("", "v")))).ErrorCode);
        Assert.Equal("InvalidTag", (await Refused(Tags(("aws:reserved", "v")))).ErrorCode);

        // At the limits exactly: accepted.
        await Client.PutObjectTaggingAsync(new PutObjectTaggingRequest
        {
            BucketName = bucket, Key = "k.txt",
            Tagging = new Tagging { TagSet = Enumerable.Range(0, 9).Select(i => new Tag { Key = $"k{i}", Value = "v" }).Append(new Tag { Key = new string('k', 128), Value = new string('v', 256) }).ToList() },
        });
        Assert.Equal(10, (await TagsOfAsync(bucket, "k.txt")).Count);

        var onPut = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => PutAsync(bucket, "new.txt", "v", Enumerable.Range(0, 11).Select(i => new Tag { Key = $"k{i}", Value = "v" }).ToList()));
        Assert.Equal("InvalidTag", onPut.ErrorCode);
        var absent = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => Client.GetObjectMetadataAsync(bucket, "new.txt"));
        Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
    }

    [Fact]
    public async Task Tagging_a_missing_object_is_NoSuchKey()
    {
        var bucket = await Target.NewBucketAsync();
        var get = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => Client.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "missing" }));
        Assert.Equal("NoSuchKey", get.ErrorCode);
        var put = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => Client.PutObjectTaggingAsync(new PutObjectTaggingRequest
        {
            BucketName = bucket, Key = "missing", Tagging = new Tagging { TagSet = Tags(("a", "b")) },
        }));
        Assert.Equal("NoSuchKey", put.ErrorCode);
    }
}

[FunctionalTests]
public sealed class EmbeddedStoreTaggingTests(StoreTargets target) : ObjectTaggingTests(target)
{
    protected override StoreKind Kind => StoreKind.Embedded;
}

[FunctionalTests]
public sealed class S3LocalStoreTaggingTests(StoreTargets target) : ObjectTaggingTests(target)
{
    protected override StoreKind Kind => StoreKind.S3Local;
}

[FunctionalTests]
public sealed class OverlayTaggingTests(StoreTargets target) : ObjectTaggingTests(target)
{
    protected override StoreKind Kind => StoreKind.Overlay;

    [Fact]
    public async Task The_tags_of_an_object_only_the_remote_has_are_the_remotes()
    {
        var bucket = await Target.NewBucketAsync();
        await Target.Backend!.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "remote.txt", ContentBody = "far" });
        await Target.Backend.PutObjectTaggingAsync(new PutObjectTaggingRequest { BucketName = bucket, Key = "remote.txt", Tagging = new Tagging { TagSet = [new Tag { Key = "where", Value = "remote" }] } });

        var tags = await Client.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "remote.txt" });
        var tag = Assert.Single(tags.Tagging);
        Assert.Equal(("where", "remote"), (tag.Key, tag.Value));
        var missing = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => Client.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "nowhere.txt" }));
        Assert.Equal("NoSuchKey", missing.ErrorCode);
    }
}

/// <summary>The same tests with Ceph's RADOS Gateway, a production S3 server, as the local store.</summary>
[FunctionalTests]
public sealed class RgwLocalStoreTaggingTests(StoreTargets target) : ObjectTaggingTests(target)
{
    protected override StoreKind Kind => StoreKind.RgwLocal;
}
