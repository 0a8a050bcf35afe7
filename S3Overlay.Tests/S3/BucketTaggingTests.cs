using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Clients;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3;

/// <summary>
/// Bucket tagging (Put/Get/DeleteBucketTagging) as S3 documents it, driven by boto3, the aws CLI,
/// the MinIO JavaScript client, the AWS SDK and raw HTTP, against every store. The tags are a
/// bucket setting: in the embedded store beside the bucket, in the S3 store in its settings bucket
/// (s3rver has no bucket tagging of its own to ask), in the overlay locally.
/// </summary>
public abstract class BucketTaggingTests(StoreTargets target) : EveryStoreTests(target)
{
    private const string TagOne = "<Tagging><TagSet><Tag><Key>kept</Key><Value>1</Value></Tag></TagSet></Tagging>";

    [Fact]
    public async Task Boto3_tags_a_bucket_within_S3s_limits_and_is_refused_beyond_them()
    {
        var bucket = await Target.NewBucketAsync();
        using var python = new ClientProcess();

        var output = await python.RunAsync("/usr/bin/python3", Path.Combine(AppContext.BaseDirectory, "Clients", "bucket_tagging.py"), Target.Proxy.Url, bucket);

        Assert.Equal("OK", output.Trim());
    }

    [Fact]
    public async Task The_aws_CLI_puts_gets_and_deletes_a_buckets_tags()
    {
        var bucket = await Target.NewBucketAsync();
        using var aws = new ClientProcess();
        aws.UseAwsProfile();
        Task<ClientResult> Aws(params string[] arguments) =>
            aws.TryRunAsync(AwsCliShell.Program, ["s3api", .. arguments, "--bucket", bucket, "--endpoint-url", Target.Proxy.Url, "--no-cli-pager"]);

        Assert.Equal(0, (await Aws("put-bucket-tagging", "--tagging", "TagSet=[{Key=project,Value=blue},{Key=cost centre,Value=4711}]")).ExitCode);
        var got = await Aws("get-bucket-tagging");
        Assert.Equal(0, got.ExitCode);
        using (var answer = JsonDocument.Parse(got.StdOut))
            Assert.Equal(["cost centre=4711", "project=blue"],
                answer.RootElement.GetProperty("TagSet").EnumerateArray().Select(t => $"{t.GetProperty("Key")}={t.GetProperty("Value")}").Order(StringComparer.Ordinal));

        var reserved = await Aws("put-bucket-tagging", "--tagging", "TagSet=[{Key=aws:cost,Value=1}]");
        Assert.NotEqual(0, reserved.ExitCode);
        Assert.Contains("(InvalidTag)", reserved.StdErr);

        Assert.Equal(0, (await Aws("delete-bucket-tagging")).ExitCode);
        var gone = await Aws("get-bucket-tagging");
        Assert.NotEqual(0, gone.ExitCode);
        Assert.Contains("(NoSuchTagSet)", gone.StdErr);
    }

    [Fact]
    public async Task The_MinIO_JavaScript_client_sets_gets_and_removes_a_buckets_tags()
    {
        var bucket = await Target.NewBucketAsync();
        using var node = new ClientProcess();
        node["S3_URL"] = Target.Proxy.Url;
        node["S3_ACCESS_KEY"] = ProxyServer.AccessKey;
        node["S3_SECRET_KEY"] = ProxyServer.SecretKey;
        node["S3_BUCKET"] = bucket;

        var output = await node.RunAsync("/usr/bin/node", Path.Combine(RepoPaths.TestsProject, "Clients", "minio-js", "bucket_tagging.mjs"));

        using var seen = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        var root = seen.RootElement;
        Assert.True(root.GetProperty("set").ValueKind == JsonValueKind.Null, output);
        Assert.Equal(["empty=", "project=blue", "team name=a b"], Tags(root.GetProperty("got")));
        Assert.Equal("InvalidTag", root.GetProperty("refused").GetProperty("code").GetString());
        Assert.Equal("System tags cannot be added/updated by requester", root.GetProperty("refused").GetProperty("message").GetString());
        Assert.Equal(["empty=", "project=blue", "team name=a b"], Tags(root.GetProperty("kept")));
        Assert.True(root.GetProperty("removed").ValueKind == JsonValueKind.Null, output);
        Assert.Equal("NoSuchTagSet", root.GetProperty("after").GetProperty("code").GetString());

        static IEnumerable<string> Tags(JsonElement list) =>
            list.EnumerateArray().Select(t => $"{t.GetProperty("Key")}={(t.TryGetProperty("Value", out var v) ? v.ToString() : "")}").Order(StringComparer.Ordinal);
    }

    [Fact]
    public async Task PutBucketTagging_needs_a_Content_MD5_or_a_checksum_and_a_wrong_one_changes_nothing()
    {
        var bucket = await Target.NewBucketAsync();
        const string two = "<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key><Value>2</Value></Tag></TagSet></Tagging>";
        using (var first = await PutTaggingAsync(bucket, TagOne, r => r.Content!.Headers.ContentMD5 = MD5.HashData(Encoding.UTF8.GetBytes(TagOne))))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        using (var bare = await PutTaggingAsync(bucket, two, _ => { }))
        {
            await RawS3.AssertErrorAsync(bare, 400, "InvalidRequest");
            Assert.Equal("Missing required header for this request: Content-MD5 OR x-amz-checksum-*", (await RawS3.XmlAsync(bare)).First("Message"));
        }
        using (var wrongMd5 = await PutTaggingAsync(bucket, two, r => r.Content!.Headers.ContentMD5 = MD5.HashData(Encoding.UTF8.GetBytes(TagOne))))
            await RawS3.AssertErrorAsync(wrongMd5, 400, "BadDigest");
        using (var wrongSum = await PutTaggingAsync(bucket, two, r => r.Headers.Add("x-amz-checksum-sha256", Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(TagOne))))))
            await RawS3.AssertErrorAsync(wrongSum, 400, "BadDigest");
        Assert.Equal(["kept=1"], await TagsOfAsync(bucket));

        using (var summed = await PutTaggingAsync(bucket, two, r => r.Headers.Add("x-amz-checksum-sha256", Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(two))))))
            Assert.Equal(HttpStatusCode.OK, summed.StatusCode);
        Assert.Equal(["a=1", "b=2"], await TagsOfAsync(bucket));
    }

    [Fact]
    public async Task A_document_that_is_not_a_tag_set_is_MalformedXML_and_a_refused_tag_is_named_in_the_error()
    {
        var bucket = await Target.NewBucketAsync();
        foreach (var document in (string[])
        [
            "<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet>",
            "<Tagging></Tagging>",
            "<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>",
            "<Tagging><TagSet><Tag><Value>1</Value></Tag></TagSet></Tagging>",
            "<TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet>",
            "",
        ])
        {
            using var response = await PutTaggingAsync(bucket, document);
            await RawS3.AssertErrorAsync(response, 400, "MalformedXML");
        }

        using (var emptyKey = await PutTaggingAsync(bucket, "<Tagging><TagSet><Tag><Key></Key><Value>v</Value></Tag></TagSet></Tagging>"))
        {
            await RawS3.AssertErrorAsync(emptyKey, 400, "InvalidTag");
            var error = await RawS3.XmlAsync(emptyKey);
            Assert.Equal(("The TagKey you have provided is invalid", ""), (error.First("Message"), error.First("TagKey")));
        }
        var longValue = new string('v', 257);
        using (var badValue = await PutTaggingAsync(bucket, $"<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet><Tag><Key>k</Key><Value>{longValue}</Value></Tag></TagSet></Tagging>"))
        {
            await RawS3.AssertErrorAsync(badValue, 400, "InvalidTag");
            var error = await RawS3.XmlAsync(badValue);
            Assert.Equal(("The TagValue you have provided is invalid", "k", longValue), (error.First("Message"), error.First("TagKey"), error.First("TagValue")));
        }
        using (var otherCase = await PutTaggingAsync(bucket, "<Tagging><TagSet><Tag><Key>AWS:cost</Key><Value>v</Value></Tag></TagSet></Tagging>"))
            await RawS3.AssertErrorAsync(otherCase, 400, "InvalidTag");
        await AssertNoTagsAsync(bucket);
    }

    [Fact]
    public async Task The_AWS_SDK_tags_a_bucket_and_deleting_the_bucket_drops_its_tags()
    {
        var bucket = await Target.NewBucketAsync();
        var put = await Client.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = bucket, TagSet = [new Tag { Key = "owner", Value = "ops" }] });
        Assert.Equal(HttpStatusCode.OK, put.HttpStatusCode);
        var got = await Client.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket });
        Assert.Equal(("owner", "ops"), (Assert.Single(got.TagSet).Key, got.TagSet[0].Value));
        if (Kind == StoreKind.S3Local)
            Assert.Equal("""{"owner":"ops"}""", await BackendSettingAsync(bucket));

        await Client.DeleteBucketAsync(bucket);
        if (Kind == StoreKind.Overlay)
        {
            // The remote's bucket of that name is still there, and shows no tags: the deleted ones went with the local bucket.
            await AssertNoTagsAsync(bucket);
            return;
        }
        var missing = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => Client.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket }));
        Assert.Equal(("NoSuchBucket", HttpStatusCode.NotFound), (missing.ErrorCode, missing.StatusCode));
        if (Kind == StoreKind.S3Local) Assert.Null(await BackendSettingAsync(bucket));
        await Client.PutBucketAsync(bucket);
        await AssertNoTagsAsync(bucket);
    }

    /// <summary>A raw PUT ?tagging, signed, with a Content-MD5 unless <paramref name="configure"/> says otherwise.</summary>
    private Task<HttpResponseMessage> PutTaggingAsync(string bucket, string document, Action<HttpRequestMessage>? configure = null) =>
        RawS3.SendAsync(Target.Proxy, HttpMethod.Put, $"/{bucket}?tagging", document,
            configure ?? (r => r.Content!.Headers.ContentMD5 = MD5.HashData(Encoding.UTF8.GetBytes(document))));

    protected async Task<List<string>> TagsOfAsync(string bucket) =>
        (await Client.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket })).TagSet
            .Select(t => $"{t.Key}={t.Value}").Order(StringComparer.Ordinal).ToList();

    protected async Task AssertNoTagsAsync(string bucket)
    {
        using var response = await RawS3.SendAsync(Target.Proxy, HttpMethod.Get, $"/{bucket}?tagging");
        await RawS3.AssertErrorAsync(response, 404, "NoSuchTagSet");
        var error = await RawS3.XmlAsync(response);
        Assert.Equal(("The TagSet does not exist", bucket), (error.First("Message"), error.First("BucketName")));
    }

    /// <summary>The tags as the S3 store keeps them on its server (an object of its settings bucket); null when there is none.</summary>
    private async Task<string?> BackendSettingAsync(string bucket)
    {
        try
        {
            using var setting = await Target.Backend!.GetObjectAsync(global::S3Overlay.Storage.S3.S3ObjectStore.SettingsBucket, bucket + "/tagging");
            return await new StreamReader(setting.ResponseStream).ReadToEndAsync();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}

[ConformanceTests]
public sealed class EmbeddedStoreBucketTaggingTests(StoreTargets target) : BucketTaggingTests(target)
{
    protected override StoreKind Kind => StoreKind.Embedded;
}

[ConformanceTests]
public sealed class S3LocalStoreBucketTaggingTests(StoreTargets target) : BucketTaggingTests(target)
{
    protected override StoreKind Kind => StoreKind.S3Local;
}

[ConformanceTests]
public sealed class OverlayBucketTaggingTests(StoreTargets target) : BucketTaggingTests(target)
{
    protected override StoreKind Kind => StoreKind.Overlay;

    [Fact]
    public async Task A_bucket_only_the_remote_has_shows_no_tags_until_some_are_put_here_and_the_remote_is_not_written()
    {
        var bucket = $"remote-only-{Guid.NewGuid():N}"[..24];
        await Target.Backend!.PutBucketAsync(bucket);
        await Target.Backend.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "far.txt", ContentBody = "far", UseChunkEncoding = false });

        await AssertNoTagsAsync(bucket);
        await Client.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = bucket, TagSet = [new Tag { Key = "where", Value = "here" }] });

        Assert.Equal(["where=here"], await TagsOfAsync(bucket));
        var remote = await Target.Backend.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        Assert.Equal(["far.txt"], remote.S3Objects.Select(o => o.Key));
        using var far = await Client.GetObjectAsync(bucket, "far.txt");
        Assert.Equal("far", await new StreamReader(far.ResponseStream).ReadToEndAsync());
    }
}
