using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Clients;
using static S3Overlay.Tests.S3.PostObject.PostForms;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3.PostObject;

/// <summary>
/// POST Object (browser uploads) on every store: forms signed as AWS documents, boto3's
/// generate_presigned_post, the answers S3 gives, and S3's errors for forms the policy refuses.
/// </summary>
public abstract class PostObjectTests(StoreTargets target) : EveryStoreTests(target)
{
    private static readonly byte[] Hello = Encoding.UTF8.GetBytes("hello from a form");

    private async Task<HttpResponseMessage> PostAsync(string bucket, IEnumerable<(string, string)> fields, byte[]? file, string fileName = "hello.txt")
    {
        using var http = Client(Target.Proxy);
        using var content = Content(fields, file, fileName);
        return await http.PostAsync(bucket, content);
    }

    private async Task AssertAbsentAsync(string bucket, string key)
    {
        var e = await Assert.ThrowsAsync<AmazonS3Exception>(() => Client.GetObjectMetadataAsync(bucket, key));
        Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);
    }

    [Fact]
    public async Task A_signed_form_stores_the_file_with_its_fields_and_answers_201_with_PostResponse()
    {
        var bucket = await Target.NewBucketAsync();
        var fields = SignedV4(bucket,
            [("key", "uploads/${filename}"), ("Content-Type", "text/plain"), ("x-amz-meta-colour", "blue"), ("success_action_status", "201")],
            [new object[] { "content-length-range", 1, 1024 }]);

        using var response = await PostAsync(bucket, fields, Hello, "note.txt");

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        var etag = $"\"{Convert.ToHexStringLower(MD5.HashData(Hello))}\"";
        var answer = System.Xml.Linq.XElement.Parse(text);
        // In no namespace, as S3 answers: a reader that looks for <Key> by its bare name finds it.
        Assert.Equal("PostResponse", answer.Name.ToString());
        Assert.NotNull(answer.Element("Key"));
        Assert.Equal([bucket, "uploads/note.txt", etag], new[] { "Bucket", "Key", "ETag" }.Select(n => answer.First(n)));
        Assert.Equal($"{Target.Proxy.Url}/{bucket}/uploads/note.txt", answer.First("Location"));
        Assert.Equal(etag, response.Headers.ETag?.ToString());

        using var got = await Client.GetObjectAsync(bucket, "uploads/note.txt");
        Assert.Equal(Hello, await ReadAllAsync(got.ResponseStream));
        Assert.Equal("text/plain", got.Headers.ContentType);
        Assert.Equal("blue", got.Metadata["colour"]);
        if (Kind == StoreKind.Overlay)
        {
            // Writes stay local: the remote behind the overlay never sees the upload.
            var remote = await Assert.ThrowsAsync<AmazonS3Exception>(() => Target.Backend!.GetObjectMetadataAsync(bucket, "uploads/note.txt"));
            Assert.Equal(HttpStatusCode.NotFound, remote.StatusCode);
        }
    }

    [Fact]
    public async Task The_tagging_and_acl_fields_tag_the_object_and_set_its_ACL()
    {
        if (Kind == StoreKind.S3Local) Assert.Skip("s3rver 3.7.1 ignores the tags of a PutObject (S3 keeps them; our S3 store sends them).");
        var bucket = await Target.NewBucketAsync();
        const string Tagging = "<Tagging><TagSet><Tag><Key>team</Key><Value>web</Value></Tag></TagSet></Tagging>";
        using (var response = await PostAsync(bucket, SignedV4(bucket, [("key", "tagged.txt"), ("tagging", Tagging), ("acl", "public-read")]), Hello))
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        var tags = await Client.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "tagged.txt" });
        Assert.Equal(["team=web"], tags.Tagging.Select(t => $"{t.Key}={t.Value}"));
        using var anonymous = Target.Proxy.CreateHttpClient(signed: false);
        Assert.Equal(Hello, await anonymous.GetByteArrayAsync($"{bucket}/tagged.txt"));
    }

    [Fact]
    public async Task The_answer_is_a_303_to_success_action_redirect_else_success_action_status_else_204()
    {
        var bucket = await Target.NewBucketAsync();
        using (var redirected = await PostAsync(bucket, SignedV4(bucket, [("key", "r.txt"), ("success_action_redirect", "http://app.example/done?from=form")]), Hello))
        {
            Assert.Equal(HttpStatusCode.SeeOther, redirected.StatusCode);
            var etag = Convert.ToHexStringLower(MD5.HashData(Hello));
            Assert.Equal($"http://app.example/done?from=form&bucket={bucket}&key=r.txt&etag=%22{etag}%22", redirected.Headers.Location?.OriginalString);
        }
        using (var ok = await PostAsync(bucket, SignedV4(bucket, [("key", "s200.txt"), ("success_action_status", "200")]), Hello))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("", await ok.Content.ReadAsStringAsync());
        }
        // Anything but 200/201 (here a made-up 418) is S3's default, 204.
        foreach (var status in new[] { null, "418" })
        {
            using var plain = await PostAsync(bucket, SignedV4(bucket, status is null ? [("key", "s204.txt")] : [("key", "s204.txt"), ("success_action_status", status)]), Hello);
            Assert.Equal(HttpStatusCode.NoContent, plain.StatusCode);
        }
        // A redirect that is not a web address is not followed.
        using (var script = await PostAsync(bucket, SignedV4(bucket, [("key", "js.txt"), ("success_action_redirect", "javascript:alert(1)")]), Hello))
            Assert.Equal(HttpStatusCode.NoContent, script.StatusCode);
    }

    public static TheoryData<string, int, string, string?> Refusals => new()
    {
        { "expired", 403, "AccessDenied", "Invalid according to Policy: Policy expired." },
        { "key outside the policy", 403, "AccessDenied", "Invalid according to Policy: Policy Condition failed: [\"starts-with\", \"$key\", \"mine/\"]" },
        { "field the policy does not name", 403, "AccessDenied", "Invalid according to Policy: Extra input fields: x-amz-meta-sneaky" },
        { "policy for another bucket", 403, "AccessDenied", "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$bucket\", \"another-bucket\"]" },
        { "signed with the wrong secret", 403, "SignatureDoesNotMatch", null },
        { "file over content-length-range", 400, "EntityTooLarge", null },
        { "file under content-length-range", 400, "EntityTooSmall", null },
        { "no file", 400, "InvalidArgument", "POST requires exactly one file upload per request." },
        { "no key", 400, "InvalidArgument", null },
        { "checksum that does not match", 400, "BadDigest", null },
        { "Content-MD5 that does not match", 400, "BadDigest", null },
        { "anonymous to a private bucket", 403, "AccessDenied", null },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_form_the_policy_or_the_bucket_refuses_gets_S3s_error_and_stores_nothing(string refusal, int status, string code, string? message)
    {
        var bucket = await Target.NewBucketAsync();
        byte[]? file = Hello;
        var fields = refusal switch
        {
            "expired" => SignedV4(bucket, [("key", "k.txt")], expiration: DateTimeOffset.UtcNow.AddSeconds(-1)),
            "key outside the policy" => SignedV4(bucket, [], [new object[] { "starts-with", "$key", "mine/" }]).Prepend(("key", "k.txt")).ToList(),
            "field the policy does not name" => SignedV4(bucket, [("key", "k.txt")]).Append(("x-amz-meta-sneaky", "yes")).ToList(),
            "policy for another bucket" => SignedV4("another-bucket", [("key", "k.txt")]),
            "signed with the wrong secret" => SignedV4(bucket, [("key", "k.txt")], secretKey: "not-the-secret"),
            "file over content-length-range" => SignedV4(bucket, [("key", "k.txt")], [new object[] { "content-length-range", 0, 4 }]),
            "file under content-length-range" => SignedV4(bucket, [("key", "k.txt")], [new object[] { "content-length-range", 1000, 2000 }]),
            "no file" => SignedV4(bucket, [("key", "k.txt")]),
            "no key" => SignedV4(bucket, []),
            "checksum that does not match" => SignedV4(bucket, [("key", "k.txt"), ("x-amz-checksum-sha256", Convert.ToBase64String(SHA256.HashData("other"u8)))]),
            "Content-MD5 that does not match" => SignedV4(bucket, [("key", "k.txt"), ("Content-MD5", Convert.ToBase64String(MD5.HashData("other"u8)))]),
            "anonymous to a private bucket" => [("key", "k.txt")],
            _ => throw new ArgumentOutOfRangeException(nameof(refusal)),
        };
        if (refusal == "no file") file = null;

        using var response = await PostAsync(bucket, fields, file);

        var error = System.Xml.Linq.XElement.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal((status, code), ((int)response.StatusCode, error.First("Code")));
        if (message is not null) Assert.Equal(message, error.First("Message"));
        await AssertAbsentAsync(bucket, "k.txt");
    }

    [Fact]
    public async Task A_body_that_is_not_a_form_is_refused_with_S3s_precondition()
    {
        var bucket = await Target.NewBucketAsync();
        using var http = Client(Target.Proxy);
        using var response = await http.PostAsync(bucket, new StringContent("key=k.txt", Encoding.UTF8, "application/x-www-form-urlencoded"));
        var error = System.Xml.Linq.XElement.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal((412, "PreconditionFailed"), ((int)response.StatusCode, error.First("Code")));
        Assert.Equal("Bucket POST must be of the enclosure-type multipart/form-data", error.First("Condition"));
    }

    [Fact]
    public async Task Anonymous_forms_upload_only_into_a_bucket_whose_ACL_lets_everyone_write()
    {
        var bucket = await Target.NewBucketAsync();
        await Client.PutBucketAclAsync(new PutBucketAclRequest { BucketName = bucket, ACL = S3CannedACL.PublicRead });
        using (var refused = await PostAsync(bucket, [("key", "anon.txt")], Hello))
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        await AssertAbsentAsync(bucket, "anon.txt");

        await Client.PutBucketAclAsync(new PutBucketAclRequest { BucketName = bucket, ACL = S3CannedACL.PublicReadWrite });
        using (var accepted = await PostAsync(bucket, [("key", "anon.txt"), ("Content-Type", "text/plain")], Hello))
            Assert.Equal(HttpStatusCode.NoContent, accepted.StatusCode);
        using var got = await Client.GetObjectAsync(bucket, "anon.txt");
        Assert.Equal(Hello, await ReadAllAsync(got.ResponseStream));
        Assert.Equal("text/plain", got.Headers.ContentType);
    }

    [Fact]
    public async Task A_form_signed_with_SigV2_uploads()
    {
        var bucket = await Target.NewBucketAsync();
        using (var response = await PostAsync(bucket, SignedV2(bucket, [("key", "v2.txt")]), Hello))
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        using var got = await Client.GetObjectAsync(bucket, "v2.txt");
        Assert.Equal(Hello, await ReadAllAsync(got.ResponseStream));
    }

    [Fact]
    public async Task A_checksum_field_is_verified_and_kept_with_the_object()
    {
        if (Kind == StoreKind.S3Local)
            Assert.Skip("s3rver 3.7.1 misreads x-amz-copy-source, so the S3 store cannot add a checksum known only after the body (it stores the object without it).");
        var bucket = await Target.NewBucketAsync();
        var sha256 = Convert.ToBase64String(SHA256.HashData(Hello));
        using (var response = await PostAsync(bucket, SignedV4(bucket, [("key", "sum.txt"), ("x-amz-checksum-sha256", sha256)]), Hello))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            Assert.Equal(sha256, response.Headers.GetValues("x-amz-checksum-sha256").Single());
        }
        var head = await Client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "sum.txt", ChecksumMode = ChecksumMode.ENABLED });
        Assert.Equal(sha256, head.ChecksumSHA256);
    }

    [Fact]
    public async Task A_preflight_for_a_form_upload_from_another_origin_follows_the_buckets_CORS_rules()
    {
        var bucket = await Target.NewBucketAsync();
        await Client.PutCORSConfigurationAsync(new PutCORSConfigurationRequest
        {
            BucketName = bucket,
            Configuration = new CORSConfiguration { Rules = [new CORSRule { AllowedOrigins = ["https://app.example"], AllowedMethods = ["POST"], AllowedHeaders = ["*"] }] },
        });
        using var http = Client(Target.Proxy);
        HttpRequestMessage Preflight(string origin)
        {
            var request = new HttpRequestMessage(HttpMethod.Options, bucket);
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "POST");
            return request;
        }

        using (var allowed = await http.SendAsync(Preflight("https://app.example")))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
            Assert.Equal("https://app.example", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        }
        using (var other = await http.SendAsync(Preflight("https://elsewhere.example")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
            Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
        }
    }

    [Fact]
    public async Task Boto3_generate_presigned_post_uploads_with_requests()
    {
        var bucket = await Target.NewBucketAsync();
        using var python = new ClientProcess();
        var script = Path.Combine(AppContext.BaseDirectory, "S3", "PostObject", "presigned_post.py");

        var output = await python.RunAsync("/usr/bin/python3", script, Target.Proxy.Url, bucket);

        Assert.Equal("OK", output.Trim());
        using var got = await Client.GetObjectAsync(bucket, "from-boto3/report.csv");
        Assert.Equal("a,b\n1,2\n", await new StreamReader(got.ResponseStream).ReadToEndAsync());
        Assert.Equal("text/csv", got.Headers.ContentType);
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}

[ConformanceTests]
public sealed class EmbeddedStorePostObjectTests(StoreTargets target) : PostObjectTests(target)
{
    protected override StoreKind Kind => StoreKind.Embedded;
}

[ConformanceTests]
public sealed class S3LocalStorePostObjectTests(StoreTargets target) : PostObjectTests(target)
{
    protected override StoreKind Kind => StoreKind.S3Local;
}

[ConformanceTests]
public sealed class OverlayPostObjectTests(StoreTargets target) : PostObjectTests(target)
{
    protected override StoreKind Kind => StoreKind.Overlay;
}

/// <summary>The same tests with Ceph's RADOS Gateway, a production S3 server, as the local store.</summary>
[ConformanceTests]
public sealed class RgwLocalStorePostObjectTests(StoreTargets target) : PostObjectTests(target)
{
    protected override StoreKind Kind => StoreKind.RgwLocal;
}
