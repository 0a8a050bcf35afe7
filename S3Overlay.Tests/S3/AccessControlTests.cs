using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3;

/// <summary>
/// ACLs as S3 documents them: canned ACLs on the creating requests, Put/Get Bucket/Object ACL
/// with canned headers, grant headers or an AccessControlPolicy body, and anonymous access
/// decided by them. The AWS SDK signs; plain unsigned HttpClient requests are the anonymous caller.
/// </summary>
public abstract class AccessControlTests(StoreTargets target) : EveryStoreTests(target)
{
    private const string AllUsers = "http://acs.amazonaws.com/groups/global/AllUsers";
    private const string AuthenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

    /// <summary>The grants other than the owner's FULL_CONTROL, as "group-uri PERMISSION".</summary>
    private static List<string> GroupGrants(List<S3Grant> grants) =>
        grants.Where(g => g.Grantee.URI is not null).Select(g => $"{g.Grantee.URI} {g.Permission}").Order().ToList();

    private async Task<List<string>> ObjectGrantsAsync(string bucket, string key) =>
        GroupGrants((await Client.GetObjectAclAsync(new GetObjectAclRequest { BucketName = bucket, Key = key })).Grants);

    private async Task<List<string>> BucketGrantsAsync(string bucket) =>
        GroupGrants((await Client.GetBucketAclAsync(new GetBucketAclRequest { BucketName = bucket })).Grants);

    /// <summary>The S3 store changes an object's ACL by a metadata-only copy of the object onto itself.</summary>
    private void SkipWhereObjectAclsCannotChange()
    {
        if (Kind == StoreKind.S3Local)
            Assert.Skip("s3rver 3.7.1 misreads the SDK's x-amz-copy-source (decodeURI leaves %2F), so the S3 store's metadata copy that changes an object's ACL fails there.");
    }

    private HttpClient Anonymous() => Target.Proxy.CreateHttpClient(signed: false);

    [Fact]
    public async Task Canned_ACLs_given_on_creation_are_kept_and_returned()
    {
        var bucket = "acl-" + Guid.NewGuid().ToString("N")[..12];
        if (Kind == StoreKind.Overlay) await Target.Backend!.PutBucketAsync(bucket);
        await Client.PutBucketAsync(new PutBucketRequest { BucketName = bucket, CannedACL = S3CannedACL.PublicRead });
        Assert.Equal([$"{AllUsers} READ"], await BucketGrantsAsync(bucket));

        await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "pub.txt", ContentBody = "x", CannedACL = S3CannedACL.PublicRead });
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "auth.txt", ContentBody = "x", CannedACL = S3CannedACL.AuthenticatedRead });
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "plain.txt", ContentBody = "x" });
        await Client.CopyObjectAsync(new CopyObjectRequest { SourceBucket = bucket, SourceKey = "pub.txt", DestinationBucket = bucket, DestinationKey = "copy-private.txt" });
        await Client.CopyObjectAsync(new CopyObjectRequest { SourceBucket = bucket, SourceKey = "plain.txt", DestinationBucket = bucket, DestinationKey = "copy-public.txt", CannedACL = S3CannedACL.PublicReadWrite });
        var upload = await Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = "mp.bin", CannedACL = S3CannedACL.PublicRead });
        var part = await Client.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "mp.bin", UploadId = upload.UploadId, PartNumber = 1, InputStream = new MemoryStream([1, 2, 3]) });
        await Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = bucket, Key = "mp.bin", UploadId = upload.UploadId, PartETags = [new PartETag(1, part.ETag)] });

        Assert.Equal([$"{AllUsers} READ"], await ObjectGrantsAsync(bucket, "pub.txt"));
        Assert.Equal([$"{AuthenticatedUsers} READ"], await ObjectGrantsAsync(bucket, "auth.txt"));
        Assert.Empty(await ObjectGrantsAsync(bucket, "plain.txt"));
        Assert.Empty(await ObjectGrantsAsync(bucket, "copy-private.txt")); // S3 never copies an ACL
        Assert.Equal([$"{AllUsers} READ", $"{AllUsers} WRITE"], await ObjectGrantsAsync(bucket, "copy-public.txt"));
        Assert.Equal([$"{AllUsers} READ"], await ObjectGrantsAsync(bucket, "mp.bin"));
        var owner = (await Client.GetObjectAclAsync(new GetObjectAclRequest { BucketName = bucket, Key = "pub.txt" })).Grants
            .Single(g => g.Grantee.URI is null);
        Assert.Equal(S3Permission.FULL_CONTROL, owner.Permission);
    }

    [Fact]
    public async Task Put_ACL_takes_a_canned_header_grant_headers_or_an_AccessControlPolicy_body()
    {
        SkipWhereObjectAclsCannotChange();
        var bucket = await Target.NewBucketAsync();
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k.txt", ContentBody = "content" });
        var before = await Client.GetObjectMetadataAsync(bucket, "k.txt");
        var owner = (await Client.ListBucketsAsync()).Owner;

        await Client.PutObjectAclAsync(new PutObjectAclRequest { BucketName = bucket, Key = "k.txt", ACL = S3CannedACL.PublicRead });
        Assert.Equal([$"{AllUsers} READ"], await ObjectGrantsAsync(bucket, "k.txt"));

        await Client.PutObjectAclAsync(new PutObjectAclRequest
        {
            BucketName = bucket, Key = "k.txt",
            AccessControlPolicy = new S3AccessControlList
            {
                Owner = new Owner { Id = owner.Id },
                Grants =
                [
                    new S3Grant { Grantee = new S3Grantee { CanonicalUser = owner.Id }, Permission = S3Permission.FULL_CONTROL },
                    new S3Grant { Grantee = new S3Grantee { URI = AuthenticatedUsers }, Permission = S3Permission.READ_ACP },
                ],
            },
        });
        Assert.Equal([$"{AuthenticatedUsers} READ_ACP"], await ObjectGrantsAsync(bucket, "k.txt"));

        await Client.PutBucketAclAsync(new PutBucketAclRequest { BucketName = bucket, GrantWrite = $"uri=\"{AllUsers}\"" });
        Assert.Equal([$"{AllUsers} WRITE"], await BucketGrantsAsync(bucket));
        await Client.PutBucketAclAsync(new PutBucketAclRequest { BucketName = bucket, ACL = S3CannedACL.Private });
        Assert.Empty(await BucketGrantsAsync(bucket));

        // An ACL is not the object: bytes, ETag and Last-Modified stay.
        var after = await Client.GetObjectMetadataAsync(bucket, "k.txt");
        Assert.Equal((before.ETag, before.LastModified), (after.ETag, after.LastModified));
    }

    [Fact]
    public async Task Grants_to_accounts_that_do_not_exist_are_S3_errors()
    {
        var bucket = await Target.NewBucketAsync();
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k.txt", ContentBody = "x" });
        using var http = Target.Proxy.CreateHttpClient();

        async Task<string> Refused(string header, string value)
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, $"{bucket}/k.txt?acl");
            request.Headers.TryAddWithoutValidation(header, value);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            return await response.Content.ReadAsStringAsync();
        }

        Assert.Contains("<Code>InvalidArgument</Code>", await Refused("x-amz-grant-read", "id=\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\""));
        Assert.Contains("<Code>UnresolvableGrantByEmailAddress</Code>", await Refused("x-amz-grant-read", "emailAddress=\"nobody@example.com\""));
        Assert.Contains("<Code>InvalidArgument</Code>", await Refused("x-amz-acl", "no-such-canned-acl"));
        Assert.Empty(await ObjectGrantsAsync(bucket, "k.txt"));
    }

    [Fact]
    public async Task Anonymous_callers_read_public_read_objects_and_nothing_private()
    {
        var bucket = await Target.NewBucketAsync();
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "public.txt", ContentBody = "for all", CannedACL = S3CannedACL.PublicRead });
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "private.txt", ContentBody = "secret" });
        using var anonymous = Anonymous();

        Assert.Equal("for all", await anonymous.GetStringAsync($"{bucket}/public.txt"));
        using (var head = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"{bucket}/public.txt")))
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        foreach (var path in new[] { $"{bucket}/private.txt", $"{bucket}/missing.txt", $"{bucket}?list-type=2" })
        {
            using var refused = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }
    }

    [Fact]
    public async Task An_object_made_public_or_private_again_is_served_or_refused_accordingly()
    {
        SkipWhereObjectAclsCannotChange();
        var bucket = await Target.NewBucketAsync();
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k.txt", ContentBody = "flip" });
        using var anonymous = Anonymous();

        await Client.PutObjectAclAsync(new PutObjectAclRequest { BucketName = bucket, Key = "k.txt", ACL = S3CannedACL.PublicRead });
        Assert.Equal("flip", await anonymous.GetStringAsync($"{bucket}/k.txt"));
        await Client.PutObjectAclAsync(new PutObjectAclRequest { BucketName = bucket, Key = "k.txt", ACL = S3CannedACL.Private });
        using var now = await anonymous.GetAsync($"{bucket}/k.txt");
        Assert.Equal(HttpStatusCode.Forbidden, now.StatusCode);
    }

    [Fact]
    public async Task Anonymous_callers_list_a_public_read_bucket_and_write_only_into_a_public_read_write_one()
    {
        var bucket = await Target.NewBucketAsync();
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "listed.txt", ContentBody = "x" });
        using var anonymous = Anonymous();

        await Client.PutBucketAclAsync(new PutBucketAclRequest { BucketName = bucket, ACL = S3CannedACL.PublicRead });
        Assert.Contains("<Key>listed.txt</Key>", await anonymous.GetStringAsync($"{bucket}?list-type=2"));
        using (var refused = await anonymous.PutAsync($"{bucket}/dropped.txt", new StringContent("anon")))
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        await Client.PutBucketAclAsync(new PutBucketAclRequest { BucketName = bucket, ACL = S3CannedACL.PublicReadWrite });
        using (var accepted = await anonymous.PutAsync($"{bucket}/dropped.txt", new StringContent("anon")))
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        using (var get = await Client.GetObjectAsync(bucket, "dropped.txt"))
            Assert.Equal("anon", await new StreamReader(get.ResponseStream).ReadToEndAsync());
        // Writing into a bucket is not changing its ACL, nor copying from elsewhere.
        using (var acl = await anonymous.PutAsync($"{bucket}?acl", new StringContent("")))
            Assert.Equal(HttpStatusCode.Forbidden, acl.StatusCode);
    }
}

[FunctionalTests]
public sealed class EmbeddedStoreAccessControlTests(StoreTargets target) : AccessControlTests(target)
{
    protected override StoreKind Kind => StoreKind.Embedded;
}

[FunctionalTests]
public sealed class S3LocalStoreAccessControlTests(StoreTargets target) : AccessControlTests(target)
{
    protected override StoreKind Kind => StoreKind.S3Local;
}

[FunctionalTests]
public sealed class OverlayAccessControlTests(StoreTargets target) : AccessControlTests(target)
{
    protected override StoreKind Kind => StoreKind.Overlay;
}

/// <summary>The same tests with Ceph's RADOS Gateway, a production S3 server, as the local store.</summary>
[FunctionalTests]
public sealed class RgwLocalStoreAccessControlTests(StoreTargets target) : AccessControlTests(target)
{
    protected override StoreKind Kind => StoreKind.RgwLocal;
}
