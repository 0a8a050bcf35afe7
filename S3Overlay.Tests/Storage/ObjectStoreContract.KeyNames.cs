using S3Overlay.Tests.Infrastructure;
using System.Text;
using S3Overlay.Storage;

namespace S3Overlay.Tests.Storage;

/// <summary>Keys a file system cannot hold at their path (a key beside keys below it, empty and dot segments, long segments): S3 holds them all.</summary>
public abstract partial class ObjectStoreContract
{
    /// <summary>Whether keys with empty segments (<c>a//b</c>) and segments over 255 bytes are kept (not by a server that keeps keys as files).</summary>
    private protected virtual bool HoldsKeysNoFileCanStandFor => true;

    /// <summary>Whether keys with <c>.</c>/<c>..</c> segments or a leading <c>/</c> reach the store intact (a client that normalises paths loses them).</summary>
    private protected virtual bool HoldsDotSegmentKeys => true;

    private IEnumerable<string> AwkwardKeys()
    {
        string[] keys =
        [
            "a", "a/b", "a/b/c", "a/b/", "a//b", "a//", "a-b", "a0", "a/.s3overlay-folder",
            new string('s', 300), "s/" + new string('é', 200) + "/z", "s/" + new string('é', 200), "s/" + new string('é', 200) + "é",
            "long/" + new string('x', 29) + "/", "long/" + new string('x', 30), "long/" + new string('x', 30) + "/", "long/" + new string('x', 31),
            "long/" + new string('x', 60) + "-", "long/" + new string('x', 60) + "/",
        ];
        string[] dotted = ["a/./b", "a/../b", "..", ".", "../x", "a/..", "/x", "//y"];
        return HoldsDotSegmentKeys ? keys.Concat(dotted) : keys;
    }

    [Fact]
    public async Task A_key_with_dot_segments_is_its_own_key_or_is_refused_but_never_reaches_another()
    {
        await PutAsync("b", Encoding.UTF8.GetBytes("the key b"));
        foreach (var key in new[] { "a/../b", "./b", "x/./b", "b/.", "../" + Bucket + "/b", "..", "." })
        {
            if (HoldsDotSegmentKeys)
            {
                await PutAsync(key, Encoding.UTF8.GetBytes("dotted"));
                await using var own = await Store.GetObjectAsync(Bucket, key, ObjectReadRequest.Whole, None);
                Assert.Equal("dotted", Encoding.UTF8.GetString(await ReadAllAsync(own.Body)));
                await Store.DeleteObjectAsync(Bucket, key, None);
            }
            else
            {
                // Refused before anything is sent, as MinIO refuses it: an HTTP stack on the way would resolve the dots.
                var write = new ObjectWrite { ContentLength = 1 };
                await AssertS3ErrorAsync("InvalidObjectName", () => Store.PutObjectAsync(Bucket, key, new MemoryStream([1]), write, None));
                await AssertS3ErrorAsync("InvalidObjectName", () => Store.GetObjectAsync(Bucket, key, ObjectReadRequest.Whole, None));
                await AssertS3ErrorAsync("InvalidObjectName", () => Store.HeadObjectAsync(Bucket, key, ReadConditions.None, None));
                await AssertS3ErrorAsync("InvalidObjectName", () => Store.DeleteObjectAsync(Bucket, key, None));
                await AssertS3ErrorAsync("InvalidObjectName", () => Store.PutObjectTaggingAsync(Bucket, key, new Dictionary<string, string> { ["a"] = "b" }, None));
                await AssertS3ErrorAsync("InvalidObjectName", () => Store.CreateMultipartUploadAsync(Bucket, key, new ObjectWrite(), None));
            }
            await using var b = await Store.GetObjectAsync(Bucket, "b", ObjectReadRequest.Whole, None);
            Assert.Equal("the key b", Encoding.UTF8.GetString(await ReadAllAsync(b.Body)));
        }
    }

    [Fact]
    public async Task Keys_a_file_system_cannot_hold_at_their_path_round_trip_and_list_in_S3_order()
    {
        Requires(HoldsKeyAndKeysBelowIt && HoldsKeysNoFileCanStandFor, nameof(HoldsKeysNoFileCanStandFor));
        var keys = AwkwardKeys().ToList();
        await PutManyAsync(keys);
        await PutAsync("a", Encoding.UTF8.GetBytes("the key a")); // an overwrite where a folder of the same name exists

        foreach (var key in keys)
        {
            await using var content = await Store.GetObjectAsync(Bucket, key, ObjectReadRequest.Whole, None);
            Assert.Equal(key, content.Info.Key);
            Assert.Equal(key == "a" ? Encoding.UTF8.GetBytes("the key a") : [(byte)key.Length], await ReadAllAsync(content.Body));
        }
        await using (var range = await Store.GetObjectAsync(Bucket, "a", Ranged("bytes=4-6"), None))
            Assert.Equal("key", Encoding.UTF8.GetString(await ReadAllAsync(range.Body)));
        Assert.Equal(9, (await Store.HeadObjectAsync(Bucket, "a", ReadConditions.None, None)).Size);

        foreach (var pageSize in new[] { 1000, 3, 1 })
            Assert.Equal(ByUtf8(keys), await ListAllAsync(new ListRequest(MaxKeys: pageSize)));
        foreach (var prefix in new[] { "a", "a/", "a/b", "s/", "long/", "/", "." })
            Assert.Equal(ByUtf8(keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))), await ListAllAsync(new ListRequest(prefix, MaxKeys: 2)));
        foreach (var (prefix, pageSize) in new[] { ("", 1000), ("", 2), ("a", 1), ("a/", 2), ("a/b", 1), ("s/", 1), ("long/", 1), ("/", 1) })
            Assert.Equal(RolledUp(keys, prefix, "/"), await ListAllAsync(new ListRequest(prefix, "/", MaxKeys: pageSize)));
        Assert.Equal(RolledUp(keys, "", "b"), await ListAllAsync(new ListRequest(Delimiter: "b", MaxKeys: 2)));
        var fromTheMiddle = ByUtf8(keys).Where(k => Utf8Order.Compare(k, "a/b") > 0).ToList();
        Assert.Equal(fromTheMiddle, await ListAllAsync(new ListRequest(StartAfter: "a/b", MaxKeys: 4)));

        foreach (var key in keys.Where((_, i) => i % 2 == 0)) await Store.DeleteObjectAsync(Bucket, key, None);
        var left = keys.Where((_, i) => i % 2 == 1).ToList();
        Assert.Equal(ByUtf8(left), await ListAllAsync(new ListRequest(MaxKeys: 5)));
        await AssertS3ErrorAsync("NoSuchKey", () => Store.HeadObjectAsync(Bucket, keys[0], ReadConditions.None, None));
        foreach (var key in left) Assert.Equal(1, (await Store.HeadObjectAsync(Bucket, key, ReadConditions.None, None)).Size);
    }

    [Fact]
    public async Task A_key_and_keys_below_it_come_and_go_in_any_order()
    {
        Requires(HoldsKeyAndKeysBelowIt, nameof(HoldsKeyAndKeysBelowIt));
        await PutAsync("a/b", Encoding.UTF8.GetBytes("below"));
        await PutAsync("a", Encoding.UTF8.GetBytes("beside"), new ObjectMetadata { ContentType = "text/x-one" });
        await Store.DeleteObjectAsync(Bucket, "a/b", None);
        // Overwritten once nothing is below it any more, and then given a key below it again.
        await PutAsync("a", Encoding.UTF8.GetBytes("again"), new ObjectMetadata { ContentType = "text/x-two" });
        await PutAsync("a/c", Encoding.UTF8.GetBytes("below again"));
        Assert.Equal(["a", "a/c"], await ListAllAsync(new ListRequest()));
        await using (var a = await Store.GetObjectAsync(Bucket, "a", ObjectReadRequest.Whole, None))
        {
            Assert.Equal("again", Encoding.UTF8.GetString(await ReadAllAsync(a.Body)));
            Assert.Equal("text/x-two", a.Info.Metadata.ContentType);
        }
        await Store.DeleteObjectAsync(Bucket, "a", None);
        Assert.Equal(["a/c"], await ListAllAsync(new ListRequest()));
        await AssertS3ErrorAsync("NoSuchKey", () => Store.HeadObjectAsync(Bucket, "a", ReadConditions.None, None));

        // And the reverse: a key first, then keys below it, then the key goes.
        await PutAsync("k", [1]);
        await PutAsync("k/x/y", [2]);
        await PutAsync("k/", [3]);
        Assert.Equal(["a/", "k", "k/"], await ListAllAsync(new ListRequest(Delimiter: "/")));
        await Store.DeleteObjectAsync(Bucket, "k", None);
        Assert.Equal(["a/c", "k/", "k/x/y"], await ListAllAsync(new ListRequest()));
    }

    [Fact]
    public async Task Tags_acls_conditions_and_multipart_work_on_a_key_beside_keys_below_it()
    {
        Requires(HoldsKeyAndKeysBelowIt && HoldsKeysNoFileCanStandFor, nameof(HoldsKeysNoFileCanStandFor));
        await PutAsync("m/x", [1]);
        await PutAsync("m//x", [2]);
        var uploadId = await Store.CreateMultipartUploadAsync(Bucket, "m", new ObjectWrite { Metadata = new ObjectMetadata { ContentType = "text/x-mpu" } }, None);
        var data = RandomBytes(1000);
        var part = await UploadPartAsync("m", uploadId, 1, data);
        await Store.CompleteMultipartUploadAsync(Bucket, "m", uploadId, [new(1, part.ETag)], null, WriteCondition.None, None);
        await using (var m = await Store.GetObjectAsync(Bucket, "m", ObjectReadRequest.Whole, None))
        {
            Assert.Equal(data, await ReadAllAsync(m.Body));
            Assert.Equal("text/x-mpu", m.Info.Metadata.ContentType);
        }

        var tags = new Dictionary<string, string> { ["stage"] = "raw" };
        await Store.PutObjectTaggingAsync(Bucket, "m", tags, None);
        await Store.PutObjectTaggingAsync(Bucket, "m//x", new Dictionary<string, string> { ["odd"] = "yes" }, None);
        Assert.Equal(tags, await Store.GetObjectTaggingAsync(Bucket, "m", None));
        Assert.Equal("yes", (await Store.GetObjectTaggingAsync(Bucket, "m//x", None))["odd"]);
        Assert.Empty(await Store.GetObjectTaggingAsync(Bucket, "m/x", None));
        await Store.PutObjectAclAsync(Bucket, "m//x", "public-read", None);
        Assert.Equal("public-read", (await Store.HeadObjectAsync(Bucket, "m//x", ReadConditions.None, None)).Metadata.Acl);
        await AssertS3ErrorAsync("NoSuchKey", () => Store.PutObjectTaggingAsync(Bucket, "m//y", tags, None));

        if (HonoursWriteConditions)
        {
            await AssertS3ErrorAsync("PreconditionFailed", () => Store.PutObjectAsync(Bucket, "m", new MemoryStream([9]),
                new ObjectWrite { OnlyIfAbsent = true, ContentLength = 1 }, None));
            await Store.PutObjectAsync(Bucket, "m//z", new MemoryStream([9]), new ObjectWrite { OnlyIfAbsent = true, ContentLength = 1 }, None);
        }
        Assert.Equal(data.Length, (await Store.HeadObjectAsync(Bucket, "m", ReadConditions.None, None)).Size);
    }
}
