using System.Security.Cryptography;
using System.Text;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;
using S3Overlay.Storage.Errors;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Storage;

/// <summary>
/// The behaviour every <see cref="IObjectStore"/> promises, written once. Each store's test class
/// derives from this and says how to create the store; a capability flag switches off a check a
/// store legitimately cannot meet (and says why in its override). Every test works in a bucket
/// of its own, so a store may be shared between tests.
/// </summary>
public abstract partial class ObjectStoreContract : IAsyncLifetime
{
    private protected IObjectStore Store { get; private set; } = null!;
    private protected string Bucket { get; } = NewBucketName();
    private protected static CancellationToken None => CancellationToken.None;

    private protected abstract Task<IObjectStore> CreateStoreAsync();

    /// <summary>A check this store legitimately cannot meet shows as skipped, with the flag its class overrides (and says why there).</summary>
    private protected void Requires(bool capability, string name)
    {
        if (!capability) Assert.Skip($"{GetType().Name} does not meet {name} (see its override for why)");
    }

    /// <summary>Called after each test; remove temp folders or stop servers here.</summary>
    private protected virtual Task DisposeStoreAsync() => Task.CompletedTask;

    /// <summary>Whether a key and keys below it (<c>a</c> and <c>a/b</c>) can both exist, as in S3.</summary>
    private protected virtual bool HoldsKeyAndKeysBelowIt => true;

    /// <summary>Whether <c>bytes=-N</c> returns exactly the last N bytes (s3rver returns one more).</summary>
    private protected virtual bool ExactSuffixRanges => true;

    /// <summary>Whether a reader that has started streaming keeps the old bytes when the key is overwritten.</summary>
    private protected virtual bool ReadersKeepOldVersion => true;

    /// <summary>The smallest part a multipart upload accepts before the last one (S3: 5 MiB).</summary>
    private protected virtual int MinimumPartSize => 5 * 1024 * 1024;

    /// <summary>Whether multipart ETags are S3's <c>md5(part md5s)-N</c> (s3rver gives the whole object's MD5).</summary>
    private protected virtual bool MultipartETagsHavePartCount => true;

    /// <summary>Whether listings show a preserved ETag and Last-Modified (an S3 server's listing has only its own).</summary>
    private protected virtual bool ListingsShowPreservedValidators => true;

    /// <summary>Whether an upload that fails part-way leaves nothing behind (s3rver keeps what arrived).</summary>
    private protected virtual bool FailedUploadsLeaveNothing => true;

    /// <summary>Whether checksums from a trailer are kept (the S3 store adds them with a copy onto the object, which s3rver fails).</summary>
    private protected virtual bool KeepsTrailingChecksums => true;

    /// <summary>
    /// Whether the server keeps track of uploads: lists parts and uploads, aborts, and checks a
    /// completion's part list (s3rver only initiates, stores parts and concatenates them).
    /// </summary>
    private protected virtual bool TracksMultipartUploads => true;

    /// <summary>Whether listings keep S3's order where a folder has siblings that share its name (s3rver lists <c>d5/...</c> before <c>d5-1</c>).</summary>
    private protected virtual bool ListsFolderSiblingsInOrder => true;

    /// <summary>Conditional writes (If-None-Match: *, If-Match) are honoured.</summary>
    private protected virtual bool HonoursWriteConditions => true;

    /// <summary>A CompleteMultipartUpload's If-None-Match and If-Match are honoured, as a PUT's are.</summary>
    private protected virtual bool HonoursCompletionConditions => true;

    /// <summary>
    /// A completion is refused as S3 refuses it (InvalidPartOrder for parts out of order,
    /// NoSuchUpload for an upload gone) and takes any ascending subset of the parts.
    /// </summary>
    private protected virtual bool CompletesAsS3Does => true;

    /// <summary>ListMultipartUploads with a delimiter rolls keys up into CommonPrefixes.</summary>
    private protected virtual bool RollsUpUploadListings => true;

    public async ValueTask InitializeAsync()
    {
        Store = await CreateStoreAsync();
        await Store.CreateBucketAsync(Bucket, None);
    }

    public async ValueTask DisposeAsync() => await DisposeStoreAsync();

    private protected static string NewBucketName() => "contract-" + Guid.NewGuid().ToString("N")[..16];

    [Fact]
    public async Task Find_and_try_get_say_null_for_a_missing_key_or_bucket_and_describe_what_is_there()
    {
        var data = RandomBytes(1000);
        await PutAsync("found.bin", data);

        Assert.Null(await Store.FindObjectAsync(Bucket, "missing.bin", None));
        Assert.Null(await Store.FindObjectAsync(NewBucketName(), "found.bin", None));
        Assert.Null(await Store.TryGetObjectAsync(Bucket, "missing.bin", ObjectReadRequest.Whole, None));
        Assert.Null(await Store.TryGetObjectAsync(NewBucketName(), "found.bin", ObjectReadRequest.Whole, None));

        var found = await Store.FindObjectAsync(Bucket, "found.bin", None);
        Assert.Equal((data.Length, Md5ETag(data)), (found?.Size, found?.ETag));
        await using var content = await Store.TryGetObjectAsync(Bucket, "found.bin", ObjectReadRequest.Whole, None);
        Assert.NotNull(content);
        Assert.Equal(data, await ReadAllAsync(content.Body));
        // Other errors are still thrown: only a miss is null.
        await Assert.ThrowsAsync<StorageException>(() => Store.TryGetObjectAsync(Bucket, "found.bin", Ranged("bytes=5000-"), None));
    }

    [Fact]
    public async Task Bytes_and_metadata_round_trip()
    {
        var data = RandomBytes(100_000);
        var metadata = new ObjectMetadata
        {
            ContentType = "text/x-contract; charset=utf-8",
            ContentEncoding = "identity",
            ContentDisposition = "attachment; filename=\"r.bin\"",
            ContentLanguage = "en-GB",
            CacheControl = "max-age=60",
            Expires = "Thu, 01 Dec 2094 16:00:00 GMT",
            UserMetadata = new Dictionary<string, string> { ["color"] = "blue", ["with-dash"] = "x y" },
        };
        var write = new ObjectWrite { Metadata = metadata, ContentLength = data.Length, ContentMD5 = Convert.ToBase64String(MD5.HashData(data)) };

        var put = await Store.PutObjectAsync(Bucket, "dir/object.bin", new MemoryStream(data), write, None);
        Assert.Equal(Md5ETag(data), put.ETag);
        Assert.Equal(data.Length, put.Size);

        var head = await Store.HeadObjectAsync(Bucket, "dir/object.bin", ReadConditions.None, None);
        Assert.Equal("dir/object.bin", head.Key);
        Assert.Equal(data.Length, head.Size);
        Assert.Equal(Md5ETag(data), head.ETag);
        Assert.Equal(metadata.ContentType, head.Metadata.ContentType);
        Assert.Equal(metadata.ContentEncoding, head.Metadata.ContentEncoding);
        Assert.Equal(metadata.ContentDisposition, head.Metadata.ContentDisposition);
        Assert.Equal(metadata.ContentLanguage, head.Metadata.ContentLanguage);
        Assert.Equal(metadata.CacheControl, head.Metadata.CacheControl);
        Assert.Equal(metadata.Expires, head.Metadata.Expires);
        Assert.Equal(metadata.UserMetadata.OrderBy(p => p.Key), head.Metadata.UserMetadata.OrderBy(p => p.Key));
        Assert.InRange(head.LastModified, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));

        await using var content = await Store.GetObjectAsync(Bucket, "dir/object.bin", ObjectReadRequest.Whole, None);
        Assert.Null(content.Range);
        Assert.Equal(data.Length, content.Length);
        Assert.Equal(head.ETag, content.Info.ETag);
        Assert.Equal(metadata.ContentType, content.Info.Metadata.ContentType);
        Assert.Equal(data, await ReadAllAsync(content.Body));
    }

    [Fact]
    public async Task Empty_object_round_trips()
    {
        await PutAsync("empty", []);
        var head = await Store.HeadObjectAsync(Bucket, "empty", ReadConditions.None, None);
        Assert.Equal(0, head.Size);
        Assert.Equal("\"d41d8cd98f00b204e9800998ecf8427e\"", head.ETag);
        await using var content = await Store.GetObjectAsync(Bucket, "empty", ObjectReadRequest.Whole, None);
        Assert.Empty(await ReadAllAsync(content.Body));
        var page = await Store.ListObjectsAsync(Bucket, new ListRequest(), None);
        Assert.Equal(0, Assert.Single(page.Objects).Size);
    }

    [Theory]
    [InlineData("bytes=0-0", 0, 1)]
    [InlineData("bytes=999-999", 999, 1)]
    [InlineData("bytes=990-", 990, 10)]
    [InlineData("bytes=0-", 0, 1000)]
    [InlineData("bytes=500-5000", 500, 500)]
    [InlineData("bytes=-2000", 0, 1000)]
    [InlineData("bytes=10-19", 10, 10)]
    public async Task Ranges_return_exactly_the_bytes_asked_for(string header, long offset, long length)
    {
        var data = RandomBytes(1000);
        await PutAsync("ranged", data);
        await using var content = await Store.GetObjectAsync(Bucket, "ranged", Ranged(header), None);
        Assert.Equal(new ResolvedRange(offset, length, 1000), content.Range);
        Assert.Equal(length, content.Length);
        Assert.Equal(1000, content.Info.Size);
        Assert.Equal(data.AsSpan((int)offset, (int)length).ToArray(), await ReadAllAsync(content.Body));
    }

    [Fact]
    public async Task Suffix_range_returns_the_last_bytes()
    {
        Requires(ExactSuffixRanges, nameof(ExactSuffixRanges));
        var data = RandomBytes(1000);
        await PutAsync("suffix", data);
        await using var content = await Store.GetObjectAsync(Bucket, "suffix", Ranged("bytes=-100"), None);
        Assert.Equal(new ResolvedRange(900, 100, 1000), content.Range);
        Assert.Equal(data[900..], await ReadAllAsync(content.Body));
    }

    [Theory]
    [InlineData("bytes=1000-")]
    [InlineData("bytes=5000-6000")]
    public async Task Unsatisfiable_range_is_416_with_the_size(string header)
    {
        await PutAsync("small", RandomBytes(1000));
        var e = await AssertS3ErrorAsync("InvalidRange", () => Store.GetObjectAsync(Bucket, "small", Ranged(header), None));
        Assert.Equal(416, e.Error.Status);
        Assert.Equal("bytes */1000", e.Headers["Content-Range"]);
    }

    [Fact]
    public async Task Conditions_answer_304_and_412_for_head_and_get()
    {
        var info = await PutAsync("conditional", RandomBytes(10));
        var past = info.LastModified.AddDays(-1);
        var future = info.LastModified.AddDays(1);
        var cases = new (ReadConditions Conditions, string? Error)[]
        {
            (new(info.ETag, null, null, null), null),
            (new("*", null, null, null), null),
            (new("\"0123456789abcdef0123456789abcdef\"", null, null, null), "PreconditionFailed"),
            (new(null, info.ETag, null, null), "NotModified"),
            (new(null, "\"0123456789abcdef0123456789abcdef\"", null, null), null),
            (new(null, null, future, null), "NotModified"),
            (new(null, null, past, null), null),
            (new(null, null, null, past), "PreconditionFailed"),
            (new(null, null, null, future), null),
            (new(info.ETag, null, null, past), null), // If-Match decides over If-Unmodified-Since
        };
        foreach (var (conditions, error) in cases)
        {
            if (error is null)
            {
                Assert.Equal(info.ETag, (await Store.HeadObjectAsync(Bucket, "conditional", conditions, None)).ETag);
                await using var content = await Store.GetObjectAsync(Bucket, "conditional", new ObjectReadRequest(null, conditions), None);
                Assert.Equal(10, (await ReadAllAsync(content.Body)).Length);
            }
            else
            {
                await AssertS3ErrorAsync(error, () => Store.HeadObjectAsync(Bucket, "conditional", conditions, None));
                await AssertS3ErrorAsync(error, () => Store.GetObjectAsync(Bucket, "conditional", new ObjectReadRequest(null, conditions), None));
            }
        }
    }

    [Fact]
    public async Task Missing_bucket_and_missing_key_are_told_apart()
    {
        var missing = NewBucketName();
        await AssertS3ErrorAsync("NoSuchBucket", () => Store.HeadObjectAsync(missing, "k", ReadConditions.None, None));
        await AssertS3ErrorAsync("NoSuchBucket", () => Store.GetObjectAsync(missing, "k", ObjectReadRequest.Whole, None));
        await AssertS3ErrorAsync("NoSuchBucket", () => Store.PutObjectAsync(missing, "k", new MemoryStream([1]), ObjectWrite.Empty, None));
        await AssertS3ErrorAsync("NoSuchBucket", () => Store.ListObjectsAsync(missing, new ListRequest(), None));
        var e = await AssertS3ErrorAsync("NoSuchKey", () => Store.HeadObjectAsync(Bucket, "k", ReadConditions.None, None));
        Assert.Equal(404, e.Error.Status);
        await AssertS3ErrorAsync("NoSuchKey", () => Store.GetObjectAsync(Bucket, "k", ObjectReadRequest.Whole, None));
        await AssertS3ErrorAsync("NoSuchKey", () => Store.GetObjectAsync(Bucket, "no/such/deep/key", ObjectReadRequest.Whole, None));
    }

    [Fact]
    public async Task Delete_removes_the_object_and_succeeds_for_a_missing_key()
    {
        await PutAsync("doomed/one", [1, 2, 3]);
        await PutAsync("kept", [4]);
        await Store.DeleteObjectAsync(Bucket, "doomed/one", None);
        await Store.DeleteObjectAsync(Bucket, "doomed/one", None);
        await Store.DeleteObjectAsync(Bucket, "never-was", None);
        await AssertS3ErrorAsync("NoSuchKey", () => Store.HeadObjectAsync(Bucket, "doomed/one", ReadConditions.None, None));
        var page = await Store.ListObjectsAsync(Bucket, new ListRequest(), None);
        Assert.Equal(["kept"], page.Objects.Select(o => o.Key));
        Assert.Empty(page.CommonPrefixes);
    }

    [Fact]
    public async Task Overwrite_replaces_bytes_and_metadata()
    {
        await PutAsync("over", RandomBytes(5000), new ObjectMetadata { ContentType = "text/old", UserMetadata = new Dictionary<string, string> { ["v"] = "1" } });
        var second = RandomBytes(300);
        await PutAsync("over", second, new ObjectMetadata { ContentType = "text/new" });
        var head = await Store.HeadObjectAsync(Bucket, "over", ReadConditions.None, None);
        Assert.Equal(Md5ETag(second), head.ETag);
        Assert.Equal("text/new", head.Metadata.ContentType);
        Assert.Empty(head.Metadata.UserMetadata);
        await using var content = await Store.GetObjectAsync(Bucket, "over", ObjectReadRequest.Whole, None);
        Assert.Equal(second, await ReadAllAsync(content.Body));
    }

    [Fact]
    public async Task A_reader_keeps_streaming_the_old_version_when_the_key_is_overwritten()
    {
        Requires(ReadersKeepOldVersion, nameof(ReadersKeepOldVersion));
        var first = RandomBytes(1024 * 1024);
        var second = RandomBytes(1024 * 1024);
        await PutAsync("moving", first);
        await using var reader = await Store.GetObjectAsync(Bucket, "moving", ObjectReadRequest.Whole, None);
        var start = new byte[64 * 1024];
        await reader.Body.ReadExactlyAsync(start);

        await PutAsync("moving", second);

        var rest = await ReadAllAsync(reader.Body);
        Assert.Equal(first, start.Concat(rest).ToArray());
        Assert.Equal(Md5ETag(first), reader.Info.ETag);
        await using var fresh = await Store.GetObjectAsync(Bucket, "moving", ObjectReadRequest.Whole, None);
        Assert.Equal(second, await ReadAllAsync(fresh.Body));
    }

    [Fact]
    public async Task Preserved_ETag_and_LastModified_are_kept_exactly()
    {
        var lastModified = new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.Zero);
        const string etag = "\"0123456789abcdef0123456789abcdef-7\"";
        await Store.PutObjectAsync(Bucket, "preserved", new MemoryStream(RandomBytes(10)),
            new ObjectWrite { ETag = etag, LastModified = lastModified }, None);

        var head = await Store.HeadObjectAsync(Bucket, "preserved", ReadConditions.None, None);
        Assert.Equal(etag, head.ETag);
        Assert.Equal(lastModified, head.LastModified);
        await using (var content = await Store.GetObjectAsync(Bucket, "preserved", ObjectReadRequest.Whole, None))
        {
            Assert.Equal(etag, content.Info.ETag);
            Assert.Equal(lastModified, content.Info.LastModified);
        }
        var listed = Assert.Single((await Store.ListObjectsAsync(Bucket, new ListRequest(), None)).Objects);
        Assert.Equal(10, listed.Size);
        if (ListingsShowPreservedValidators)
        {
            Assert.Equal(etag, listed.ETag);
            Assert.Equal(lastModified, listed.LastModified);
        }
        await AssertS3ErrorAsync("NotModified", () => Store.HeadObjectAsync(Bucket, "preserved", new ReadConditions(null, etag, null, null), None));
    }

    [Fact]
    public async Task Trailing_checksums_are_read_after_the_body_and_kept()
    {
        var body = new MemoryStream(RandomBytes(1000));
        var write = new ObjectWrite
        {
            TrailingChecksums = () =>
            {
                Assert.Equal(body.Length, body.Position); // only known once the body is drained
                return new Dictionary<string, string> { ["crc32"] = "AAAAAA==" };
            },
        };
        await Store.PutObjectAsync(Bucket, "trailed", body, write, None);
        Requires(KeepsTrailingChecksums, nameof(KeepsTrailingChecksums));
        var head = await Store.HeadObjectAsync(Bucket, "trailed", ReadConditions.None, None);
        Assert.Equal("AAAAAA==", head.Metadata.Checksums["crc32"]);
    }

    [Theory]
    [InlineData("short")]
    [InlineData("long")]
    [InlineData("bad-md5")]
    [InlineData("throws")]
    public async Task A_failed_write_leaves_nothing(string failure)
    {
        var data = RandomBytes(200_000);
        Stream body = failure == "throws" ? new ThrowingStream(data, failAt: 100_000) : new MemoryStream(data);
        var write = failure switch
        {
            "short" => new ObjectWrite { ContentLength = data.Length + 1 },
            "long" => new ObjectWrite { ContentLength = data.Length - 1 },
            "bad-md5" => new ObjectWrite { ContentMD5 = Convert.ToBase64String(MD5.HashData([1, 2, 3])) },
            _ => ObjectWrite.Empty,
        };
        var oldData = RandomBytes(100);
        await PutAsync("survivor", oldData);

        foreach (var key in new[] { "fresh/key", "survivor" })
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => Store.PutObjectAsync(Bucket, key, body, write, None));
            if (failure is "short" or "long") Assert.Equal("IncompleteBody", Assert.IsType<StorageException>(error).Error.Code);
            if (failure is "bad-md5") Assert.Equal("BadDigest", Assert.IsType<StorageException>(error).Error.Code);
            body.Position = 0;
        }

        Requires(FailedUploadsLeaveNothing, nameof(FailedUploadsLeaveNothing));
        await AssertS3ErrorAsync("NoSuchKey", () => Store.HeadObjectAsync(Bucket, "fresh/key", ReadConditions.None, None));
        await using var content = await Store.GetObjectAsync(Bucket, "survivor", ObjectReadRequest.Whole, None);
        Assert.Equal(oldData, await ReadAllAsync(content.Body));
        var page = await Store.ListObjectsAsync(Bucket, new ListRequest(), None);
        Assert.Equal(["survivor"], page.Objects.Select(o => o.Key));
        Assert.Empty(page.CommonPrefixes);
    }

    [Fact]
    public async Task A_cancelled_write_leaves_nothing()
    {
        using var cts = new CancellationTokenSource();
        var body = new ThrowingStream(RandomBytes(300_000), failAt: 150_000, onFail: cts.Cancel);
        await Assert.ThrowsAnyAsync<Exception>(() => Store.PutObjectAsync(Bucket, "cancelled", body, ObjectWrite.Empty, cts.Token));
        await AssertS3ErrorAsync("NoSuchKey", () => Store.HeadObjectAsync(Bucket, "cancelled", ReadConditions.None, None));
    }

    [Fact]
    public async Task Keys_with_spaces_plus_percent_unicode_and_deep_nesting_round_trip()
    {
        var keys = new[]
        {
            "with space.txt", "plus+sign", "percent%20literal", "percent%2e%2e", "tilde~and=equals&amp",
            "ünïcødé/日本語/ファイル.txt", "emoji/😀.bin", "emoji/\uFF21fullwidth", "quote'and\"double",
            string.Join('/', Enumerable.Range(1, 30).Select(i => $"level{i}")) + "/leaf",
        };
        foreach (var key in keys)
            await PutAsync(key, Encoding.UTF8.GetBytes(key));
        foreach (var key in keys)
        {
            await using var content = await Store.GetObjectAsync(Bucket, key, ObjectReadRequest.Whole, None);
            Assert.Equal(key, Encoding.UTF8.GetString(await ReadAllAsync(content.Body)));
            Assert.Equal(key, content.Info.Key);
        }
        var listed = await ListAllAsync(new ListRequest(MaxKeys: 3));
        Assert.Equal(ByUtf8(keys), listed);
    }

    [Fact]
    public async Task Folder_marker_keys_ending_in_a_slash_work()
    {
        await PutAsync("photos/", []);
        await PutAsync("photos/cat.jpg", [1]);
        var head = await Store.HeadObjectAsync(Bucket, "photos/", ReadConditions.None, None);
        Assert.Equal(0, head.Size);
        Assert.Equal(["photos/", "photos/cat.jpg"], await ListAllAsync(new ListRequest()));
        var rolled = await Store.ListObjectsAsync(Bucket, new ListRequest(Delimiter: "/"), None);
        Assert.Empty(rolled.Objects);
        Assert.Equal(["photos/"], rolled.CommonPrefixes);
        var inside = await Store.ListObjectsAsync(Bucket, new ListRequest("photos/", "/"), None);
        Assert.Equal(["photos/", "photos/cat.jpg"], inside.Objects.Select(o => o.Key));
        await Store.DeleteObjectAsync(Bucket, "photos/", None);
        Assert.Equal(["photos/cat.jpg"], await ListAllAsync(new ListRequest()));
    }

    [Fact]
    public async Task Buckets_are_created_listed_and_deleted_as_S3_does()
    {
        var name = NewBucketName();
        Assert.Null(await Store.GetBucketAsync(name, None));
        await Store.CreateBucketAsync(name, None);
        Assert.Equal(name, (await Store.GetBucketAsync(name, None))?.Name);
        Assert.Contains(name, (await Store.ListBucketsAsync(None)).Select(b => b.Name));
        Assert.Contains(Bucket, (await Store.ListBucketsAsync(None)).Select(b => b.Name));
        var names = (await Store.ListBucketsAsync(None)).Select(b => b.Name).ToList();
        Assert.Equal(ByUtf8(names), names);

        var again = await AssertS3ErrorAsync("BucketAlreadyOwnedByYou", () => Store.CreateBucketAsync(name, None));
        Assert.Equal(409, again.Error.Status);

        await PutAsync("nested/thing", [1], bucket: name);
        var notEmpty = await AssertS3ErrorAsync("BucketNotEmpty", () => Store.DeleteBucketAsync(name, None));
        Assert.Equal(409, notEmpty.Error.Status);

        await Store.DeleteObjectAsync(name, "nested/thing", None);
        await Store.DeleteBucketAsync(name, None);
        Assert.Null(await Store.GetBucketAsync(name, None));
        Assert.DoesNotContain(name, (await Store.ListBucketsAsync(None)).Select(b => b.Name));
        await AssertS3ErrorAsync("NoSuchBucket", () => Store.DeleteBucketAsync(name, None));

        // A bucket made again under the same name starts empty.
        await Store.CreateBucketAsync(name, None);
        Assert.Empty((await Store.ListObjectsAsync(name, new ListRequest(), None)).Objects);
        await Store.DeleteBucketAsync(name, None);
    }
}
