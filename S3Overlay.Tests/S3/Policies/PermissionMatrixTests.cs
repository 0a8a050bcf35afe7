using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using static S3Overlay.Tests.S3.Policies.PermissionFixture;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3.Policies;

/// <summary>
/// Every operation family × every kind of caller, over loopback with AWSSDK.S3 (and raw HTTP for
/// the anonymous caller): allowed or <c>403 AccessDenied</c>, and every denied write leaves the
/// store as it was.
/// </summary>
[FunctionalTests]
public sealed class PermissionMatrixTests(PermissionFixture f) : IClassFixture<PermissionFixture>
{
    [Theory]
    [InlineData("root", "list", Team, true)]
    [InlineData("root", "put", Other, true)]
    [InlineData("root", "delete", Team, true)]
    [InlineData("root", "delete-locked", Team, true)] // the root owns everything, past any Deny
    [InlineData("root", "create", null, true)]
    [InlineData("rw", "list", Other, true)]
    [InlineData("rw", "get", Team, true)]
    [InlineData("rw", "put", Other, true)]
    [InlineData("rw", "delete", Other, true)]
    [InlineData("rw", "copy", Other, true)]
    [InlineData("rw", "multipart", Other, true)]
    [InlineData("rw", "create", null, true)]
    [InlineData("rw", "delete-locked", Team, false)] // the bucket policy's Deny wins over readwrite
    [InlineData("ro", "list", Other, true)]
    [InlineData("ro", "get", Other, true)]
    [InlineData("ro", "head", Other, true)]
    [InlineData("ro", "tagging", Other, true)]
    [InlineData("ro", "put", Other, false)]
    [InlineData("ro", "delete", Other, false)]
    [InlineData("ro", "copy", Other, false)]
    [InlineData("ro", "multipart", Other, false)]
    [InlineData("ro", "create", null, false)]
    [InlineData("ro", "presigned-put", Other, false)]
    [InlineData("ro", "put-policy", Other, false)]
    [InlineData("ro", "get-policy", Team, false)]
    [InlineData("wo", "put", Other, true)]
    [InlineData("wo", "multipart", Other, true)]
    [InlineData("wo", "presigned-put", Other, true)]
    [InlineData("wo", "get", Other, false)]
    [InlineData("wo", "list", Other, false)]
    [InlineData("wo", "delete", Other, false)]
    [InlineData("wo", "copy", Other, false)] // may write the target, may not read the source
    [InlineData("wo", "get-shared", Team, true)] // the bucket policy names wo
    [InlineData("one", "list", Team, true)]
    [InlineData("one", "put", Team, true)]
    [InlineData("one", "delete", Team, true)]
    [InlineData("one", "copy", Team, true)]
    [InlineData("one", "get-policy", Team, true)]
    [InlineData("one", "copy-from-other", Team, false)]
    [InlineData("one", "get", Other, false)]
    [InlineData("one", "list", Other, false)]
    [InlineData("one", "put", Other, false)]
    [InlineData("one", "put-policy", Other, false)]
    [InlineData("one", "create", null, false)]
    [InlineData("one", "delete-locked", Team, false)]
    [InlineData("rw", "get-bucket-tagging", Other, true)]
    [InlineData("rw", "put-bucket-tagging", Other, true)]
    [InlineData("rw", "delete-bucket-tagging", Other, true)]
    [InlineData("ro", "get-bucket-tagging", Other, false)]
    [InlineData("ro", "put-bucket-tagging", Other, false)]
    [InlineData("one", "put-bucket-tagging", Team, true)]
    [InlineData("one", "put-bucket-tagging", Other, false)]
    [InlineData("tags", "put-bucket-tagging", Team, true)]
    [InlineData("tags", "delete-bucket-tagging", Team, true)] // DeleteBucketTagging asks for s3:PutBucketTagging, as on S3
    [InlineData("tags", "get-bucket-tagging", Team, false)]
    [InlineData("tags", "put-bucket-tagging", Other, false)]
    [InlineData("legacy", "put", Other, true)]
    [InlineData("legacy", "create", null, true)]
    [InlineData("legacy", "get-policy", Team, true)]
    [InlineData("legacy", "delete-locked", Team, false)]
    [InlineData("anon", "list", Pub, true)]
    [InlineData("anon", "get", Pub, true)]
    [InlineData("anon", "put", Pub, false)]
    [InlineData("anon", "delete", Pub, false)]
    [InlineData("anon", "get", Team, false)]
    [InlineData("anon", "list", Other, false)]
    [InlineData("anon", "put", Other, false)]
    public async Task Caller_may_or_may_not(string caller, string operation, string? bucket, bool allowed)
    {
        var done = await TryAsync(() => RunAsync(caller, operation, bucket));
        Assert.True(done == allowed, $"{caller} {operation} {bucket}: expected {(allowed ? "allowed" : "AccessDenied")}, was {(done ? "allowed" : "AccessDenied")}");
    }

    /// <summary>True when it ran; false when refused with 403 AccessDenied; anything else fails the test.</summary>
    private static async Task<bool> TryAsync(Func<Task> run)
    {
        try
        {
            await run();
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.Forbidden)
        {
            Assert.True(e.ErrorCode is "AccessDenied" or null, $"refused with {e.ErrorCode}"); // HEAD answers carry no code
            return false;
        }
    }

    private async Task RunAsync(string caller, string operation, string? bucket)
    {
        if (caller == "anon")
        {
            await RunAnonymousAsync(operation, bucket!);
            return;
        }
        var s3 = f.Client(caller);
        var key = operation + "-" + Guid.NewGuid().ToString("N")[..8];
        switch (operation)
        {
            case "list":
                await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Delimiter = "/" });
                break;
            case "get":
                using (var get = await s3.GetObjectAsync(bucket, Seed)) Assert.Equal("seed", await new StreamReader(get.ResponseStream).ReadToEndAsync());
                break;
            case "get-shared":
                using (await s3.GetObjectAsync(bucket, "shared/note.txt")) { }
                break;
            case "head":
                await s3.GetObjectMetadataAsync(bucket, Seed);
                break;
            case "tagging":
                await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = Seed });
                break;
            case "put":
                await WriteAsync(bucket!, key, () => s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = "x" }));
                break;
            case "presigned-put":
                await WriteAsync(bucket!, key, () => PresignedPutAsync(s3, bucket!, key));
                break;
            case "copy":
            case "copy-from-other":
                var source = operation == "copy" ? Team : Other;
                await WriteAsync(bucket!, key, () => s3.CopyObjectAsync(new CopyObjectRequest { SourceBucket = source, SourceKey = Seed, DestinationBucket = bucket, DestinationKey = key }));
                break;
            case "multipart":
                await WriteAsync(bucket!, key, async () =>
                {
                    var upload = await s3.InitiateMultipartUploadAsync(bucket, key);
                    var part = await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = key, UploadId = upload.UploadId, PartNumber = 1, InputStream = new MemoryStream([1, 2, 3]) });
                    await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = upload.UploadId, PartETags = [new PartETag(1, part.ETag)] });
                });
                break;
            case "delete":
            case "delete-locked":
                key = (operation == "delete" ? "" : "locked/") + key;
                await f.Root.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = "x" });
                await KeptWhenDeniedAsync(() => s3.DeleteObjectAsync(bucket, key), () => f.ExistsAsync(bucket!, key), true);
                break;
            case "create":
                var name = "made-" + Guid.NewGuid().ToString("N")[..10];
                await KeptWhenDeniedAsync(() => s3.PutBucketAsync(name), BucketExistsAsync(name), false);
                await f.Root.DeleteBucketAsync(name);
                break;
            case "get-policy":
                Assert.Contains("\"locked\"", (await s3.GetBucketPolicyAsync(bucket)).Policy);
                break;
            case "get-bucket-tagging":
                try
                {
                    await s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket });
                }
                catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchTagSet")
                {
                    // Allowed, and the bucket has no tags.
                }
                break;
            case "put-bucket-tagging":
                await KeptWhenDeniedAsync(() => s3.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = bucket, TagSet = [new Tag { Key = "by", Value = caller }] }),
                    BucketTagsAsync(bucket!), null);
                break;
            case "delete-bucket-tagging":
                await f.Root.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = bucket, TagSet = [new Tag { Key = "by", Value = "root" }] });
                await KeptWhenDeniedAsync(() => s3.DeleteBucketTaggingAsync(new DeleteBucketTaggingRequest { BucketName = bucket }), BucketTagsAsync(bucket!), "by=root");
                break;
            case "put-policy":
                var policy = global::S3Overlay.S3.Policies.CannedPolicies.ForBucket("public", bucket!);
                await KeptWhenDeniedAsync(() => s3.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = bucket, Policy = policy }), PolicyOfAsync(bucket!), null);
                break;
            default:
                throw new ArgumentException(operation);
        }
    }

    /// <summary>A write that, refused, stores nothing at the key.</summary>
    private Task WriteAsync(string bucket, string key, Func<Task> write) =>
        KeptWhenDeniedAsync(write, () => f.ExistsAsync(bucket, key), false);

    /// <summary>Runs <paramref name="act"/>; when it is refused, what <paramref name="state"/> reads is what it read before (and, when given, <paramref name="before"/>).</summary>
    private static async Task KeptWhenDeniedAsync<T>(Func<Task> act, Func<Task<T>> state, T? before)
    {
        var was = await state();
        if (before is not null) Assert.Equal(before, was);
        try
        {
            await act();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.Forbidden)
        {
            Assert.Equal(was, await state());
            throw;
        }
    }

    private Func<Task<bool>> BucketExistsAsync(string name) => async () => (await f.Root.ListBucketsAsync()).Buckets?.Any(b => b.BucketName == name) == true;

    /// <summary>The bucket's policy, or "" without one (the .NET SDK does not throw on GetBucketPolicy's 404: it hands back the error body).</summary>
    private Func<Task<string>> PolicyOfAsync(string bucket) => async () =>
    {
        var response = await f.Root.GetBucketPolicyAsync(bucket);
        return response.HttpStatusCode == HttpStatusCode.NotFound ? "" : response.Policy;
    };

    /// <summary>The bucket's tags as <c>key=value</c> lines, or "" without any.</summary>
    private Func<Task<string>> BucketTagsAsync(string bucket) => async () =>
    {
        try
        {
            var tags = await f.Root.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket });
            return string.Join("\n", tags.TagSet.Select(t => $"{t.Key}={t.Value}"));
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchTagSet")
        {
            return "";
        }
    };

    private static async Task PresignedPutAsync(AmazonS3Client s3, string bucket, string key)
    {
        var url = await s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest { BucketName = bucket, Key = key, Verb = HttpVerb.PUT, Expires = DateTime.UtcNow.AddMinutes(5), Protocol = Protocol.HTTP });
        using var http = new HttpClient();
        using var response = await http.PutAsync(url, new StringContent("presigned"));
        if (response.StatusCode == HttpStatusCode.Forbidden)
            throw new AmazonS3Exception("denied") { StatusCode = HttpStatusCode.Forbidden, ErrorCode = await RawS3.ErrorCodeAsync(response) };
        response.EnsureSuccessStatusCode();
    }

    private async Task RunAnonymousAsync(string operation, string bucket)
    {
        using var http = f.Proxy.CreateHttpClient(signed: false);
        var key = "anon-" + Guid.NewGuid().ToString("N")[..8];
        if (operation == "delete") await f.Root.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = "x" });
        using var response = operation switch
        {
            "list" => await http.GetAsync($"{bucket}?list-type=2"),
            "get" => await http.GetAsync($"{bucket}/{Seed}"),
            "put" => await http.PutAsync($"{bucket}/{key}", new StringContent("x")),
            "delete" => await http.DeleteAsync($"{bucket}/{key}"),
            _ => throw new ArgumentException(operation),
        };
        if (response.StatusCode == HttpStatusCode.Forbidden)
        {
            Assert.Equal("AccessDenied", await RawS3.ErrorCodeAsync(response));
            Assert.Equal(operation == "delete", await f.ExistsAsync(bucket, key)); // a refused write changed nothing
            throw new AmazonS3Exception("denied") { StatusCode = HttpStatusCode.Forbidden, ErrorCode = "AccessDenied" };
        }
        Assert.True(response.IsSuccessStatusCode, $"anonymous {operation} {bucket}: {(int)response.StatusCode}");
    }
}
