using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.S3;
using S3Overlay.Tests.Clients;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.S3;

namespace S3Overlay.Tests.Acl;

/// <summary>
/// Buckets and objects belong to the users that make them, as on S3: ListBuckets shows a user its
/// own, GetBucketAcl and GetObjectAcl name the real owner, and another user gets into a user's
/// bucket only through what the owner grants (ACL grants by canonical id or e-mail address, the
/// bucket policy). Two users of the settings (alice and bob, both with every right of their own)
/// besides the root key; on the embedded store and on RGW as the local store, where the overlay
/// signs every request with its one key and enforces ownership itself.
/// </summary>
public abstract class BucketOwnershipTests(StoreTargets target) : EveryStoreTests(target)
{
    protected override IReadOnlyDictionary<string, string?>? Settings { get; } = new Dictionary<string, string?>
    {
        ["S3_OVERLAY_ACCESS_KEY"] = Infrastructure.ProxyServer.AccessKey,
        ["S3_OVERLAY_SECRET_KEY"] = Infrastructure.ProxyServer.SecretKey,
        ["Overlay:Users:0:AccessKey"] = "alice", ["Overlay:Users:0:SecretKey"] = "alice-secret", ["Overlay:Users:0:Name"] = "Alice",
        ["Overlay:Users:0:Email"] = "alice@example.com",
        ["Overlay:Users:1:AccessKey"] = "bob", ["Overlay:Users:1:SecretKey"] = "bob-secret", ["Overlay:Users:1:Email"] = "bob@example.com",
    };

    private static readonly string AliceId = S3Owner.IdOf("alice"), BobId = S3Owner.IdOf("bob");

    private AmazonS3Client User(string name) => Target.Proxy.CreateClient(defaults: false, accessKey: name, secretKey: name + "-secret");

    private static string NewName() => "own-" + Guid.NewGuid().ToString("N")[..16];


    [Fact]
    public async Task A_bucket_belongs_to_its_creator_and_ListBuckets_shows_each_user_its_own()
    {
        using var alice = User("alice");
        using var bob = User("bob");
        var bucket = NewName();
        await alice.PutBucketAsync(bucket);

        var alices = await alice.ListBucketsAsync();
        Assert.Equal(AliceId, alices.Owner.Id);
        Assert.Equal("Alice", alices.Owner.DisplayName);
        Assert.Contains(alices.Buckets, b => b.BucketName == bucket);
        var bobs = await bob.ListBucketsAsync();
        Assert.Equal(BobId, bobs.Owner.Id);
        Assert.Equal("bob", bobs.Owner.DisplayName); // no name configured: the access key
        Assert.DoesNotContain(bobs.Buckets ?? [], b => b.BucketName == bucket);
        Assert.Contains((await Client.ListBucketsAsync()).Buckets, b => b.BucketName == bucket); // the root sees all

        var acl = await alice.GetBucketAclAsync(new() { BucketName = bucket });
        Assert.Equal(AliceId, acl.Owner.Id);
        var grant = Assert.Single(acl.Grants);
        Assert.Equal((AliceId, "Alice", S3Permission.FULL_CONTROL), (grant.Grantee.CanonicalUser, grant.Grantee.DisplayName, grant.Permission));

        // The name is taken for everyone else; its owner may ask again (us-east-1 answers 200).
        Assert.Equal("BucketAlreadyExists", await S3ErrorCode.OfAsync(() => bob.PutBucketAsync(bucket)));
        await alice.PutBucketAsync(bucket);
    }

    [Fact]
    public async Task Another_user_gets_into_a_users_bucket_only_through_the_owners_grants()
    {
        using var alice = User("alice");
        using var bob = User("bob");
        var bucket = NewName();
        await alice.PutBucketAsync(bucket);
        await alice.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "doc", ContentBody = "alice's" });

        // bob may do everything by his own policy, but not in alice's bucket.
        Assert.Equal("AccessDenied", await S3ErrorCode.OfAsync(() => bob.GetObjectAsync(bucket, "doc")));
        Assert.Equal("AccessDenied", await S3ErrorCode.OfAsync(() => bob.ListObjectsV2Async(new() { BucketName = bucket })));
        Assert.Equal("AccessDenied", await S3ErrorCode.OfAsync(() => bob.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "bob", ContentBody = "x" })));
        Assert.Equal("AccessDenied", await S3ErrorCode.OfAsync(() => bob.GetBucketAclAsync(new() { BucketName = bucket })));
        Assert.Equal("AccessDenied", await S3ErrorCode.OfAsync(() => bob.DeleteBucketAsync(bucket)));
        Assert.Equal("AccessDenied", await S3ErrorCode.OfAsync(() => bob.CopyObjectAsync(bucket, "doc", bucket, "copy")));

        // READ on the object by id: bob reads it, and nothing else.
        await alice.PutObjectAclAsync(new PutObjectAclRequest
        {
            BucketName = bucket, Key = "doc",
            AccessControlPolicy = new S3AccessControlList
            {
                Owner = new Owner { Id = AliceId },
                Grants = [new S3Grant { Grantee = new S3Grantee { CanonicalUser = AliceId }, Permission = S3Permission.FULL_CONTROL },
                          new S3Grant { Grantee = new S3Grantee { CanonicalUser = BobId }, Permission = S3Permission.READ }],
            },
        });
        using (var got = await bob.GetObjectAsync(bucket, "doc"))
            Assert.Equal("alice's", await new StreamReader(got.ResponseStream).ReadToEndAsync());
        Assert.Equal("AccessDenied", await S3ErrorCode.OfAsync(() => bob.ListObjectsV2Async(new() { BucketName = bucket })));

        // WRITE on the bucket by e-mail address (S3 keeps it as the id): bob writes, and owns what he wrote.
        var raw = await alice.GetBucketAclAsync(new() { BucketName = bucket });
        await alice.PutBucketAclAsync(new PutBucketAclRequest
        {
            BucketName = bucket,
            AccessControlPolicy = new S3AccessControlList
            {
                Owner = raw.Owner,
                Grants = [.. raw.Grants, new S3Grant { Grantee = new S3Grantee { EmailAddress = "bob@example.com" }, Permission = S3Permission.WRITE }],
            },
        });
        var granted = await alice.GetBucketAclAsync(new() { BucketName = bucket });
        Assert.Contains(granted.Grants, g => g.Grantee.CanonicalUser == BobId && g.Grantee.DisplayName == "bob" && g.Permission == S3Permission.WRITE);
        await bob.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "bob", ContentBody = "bob's" });
        var bobsAcl = await bob.GetObjectAclAsync(new() { BucketName = bucket, Key = "bob" });
        Assert.Equal(BobId, bobsAcl.Owner.Id);
        Assert.Equal(AliceId, (await alice.GetObjectAclAsync(new() { BucketName = bucket, Key = "doc" })).Owner.Id);

        // An id no user has is refused, as S3 refuses it.
        Assert.Equal("InvalidArgument", await S3ErrorCode.OfAsync(() => alice.PutObjectAclAsync(new PutObjectAclRequest
        {
            BucketName = bucket, Key = "doc",
            AccessControlPolicy = new S3AccessControlList
            {
                Owner = new Owner { Id = AliceId },
                Grants = [new S3Grant { Grantee = new S3Grantee { CanonicalUser = new string('7', 64) }, Permission = S3Permission.READ }],
            },
        })));
    }

    [Fact]
    public async Task Bucket_owner_canned_ACLs_grant_the_buckets_owner()
    {
        using var alice = User("alice");
        using var bob = User("bob");
        var bucket = NewName();
        await alice.PutBucketAsync(new PutBucketRequest { BucketName = bucket, CannedACL = S3CannedACL.PublicReadWrite });
        await bob.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "read", ContentBody = "r", CannedACL = S3CannedACL.BucketOwnerRead });
        await bob.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "full", ContentBody = "f", CannedACL = S3CannedACL.BucketOwnerFullControl });

        var read = await bob.GetObjectAclAsync(new() { BucketName = bucket, Key = "read" });
        Assert.Equal(BobId, read.Owner.Id);
        Assert.Equal([(BobId, "FULL_CONTROL"), (AliceId, "READ")],
            read.Grants.Select(g => (g.Grantee.CanonicalUser, g.Permission.Value)).OrderBy(g => g.Item2));
        var full = await bob.GetObjectAclAsync(new() { BucketName = bucket, Key = "full" });
        Assert.Equal([(AliceId, "FULL_CONTROL"), (BobId, "FULL_CONTROL")],
            full.Grants.Select(g => (g.Grantee.CanonicalUser, g.Permission.Value)).OrderBy(g => g.Item1 == BobId));
    }

    [Fact]
    public async Task Expected_bucket_owner_is_checked_against_the_real_owner()
    {
        using var alice = User("alice");
        var bucket = NewName();
        await alice.PutBucketAsync(bucket);
        await alice.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "v", ExpectedBucketOwner = AliceId });
        var refused = await Assert.ThrowsAsync<AmazonS3Exception>(() =>
            alice.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "v", ExpectedBucketOwner = S3Owner.Id }));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        // A bucket the root made (as every bucket made before owners) is the root's.
        var shared = await Target.NewBucketAsync();
        Assert.Equal(S3Owner.Id, (await alice.GetBucketAclAsync(new() { BucketName = shared })).Owner.Id);
        await alice.PutObjectAsync(new PutObjectRequest { BucketName = shared, Key = "k", ContentBody = "v", ExpectedBucketOwner = S3Owner.Id });
    }

    [Fact]
    public async Task The_aws_CLI_sets_ownership_controls_and_BucketOwnerEnforced_turns_ACLs_off()
    {
        var bucket = NewName();
        using var aws = new ClientProcess();
        aws.UseAwsProfile("alice", "alice-secret");
        string[] endpoint = ["--endpoint-url", Target.Proxy.Url];
        await aws.RunAsync(AwsCliShell.Program, ["s3api", "create-bucket", "--bucket", bucket, .. endpoint]);
        var none = await aws.TryRunAsync(AwsCliShell.Program, ["s3api", "get-bucket-ownership-controls", "--bucket", bucket, .. endpoint]);
        Assert.Contains("OwnershipControlsNotFoundError", none.StdErr);

        await aws.RunAsync(AwsCliShell.Program, ["s3api", "put-bucket-ownership-controls", "--bucket", bucket,
            "--ownership-controls", "Rules=[{ObjectOwnership=BucketOwnerEnforced}]", .. endpoint]);
        Assert.Contains("BucketOwnerEnforced", await aws.RunAsync(AwsCliShell.Program, ["s3api", "get-bucket-ownership-controls", "--bucket", bucket, .. endpoint]));
        var publicRead = await aws.TryRunAsync(AwsCliShell.Program, ["s3api", "put-object", "--bucket", bucket, "--key", "p", "--acl", "public-read", .. endpoint]);
        Assert.Contains("AccessControlListNotSupported", publicRead.StdErr);
        var bucketAcl = await aws.TryRunAsync(AwsCliShell.Program, ["s3api", "put-bucket-acl", "--bucket", bucket, "--acl", "public-read", .. endpoint]);
        Assert.Contains("AccessControlListNotSupported", bucketAcl.StdErr);

        // bob writes through a bucket policy: the object is alice's, the bucket owner's.
        await aws.RunAsync(AwsCliShell.Program, ["s3api", "put-bucket-policy", "--bucket", bucket, "--policy",
            $$"""{"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::000000000000:user/bob"]}, "Action": "s3:*", "Resource": ["arn:aws:s3:::{{bucket}}", "arn:aws:s3:::{{bucket}}/*"]}]}""", .. endpoint]);
        using var bob = User("bob");
        await bob.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "by-bob", ContentBody = "b", CannedACL = S3CannedACL.BucketOwnerFullControl });
        Assert.Contains(AliceId, await aws.RunAsync(AwsCliShell.Program, ["s3api", "get-object-acl", "--bucket", bucket, "--key", "by-bob", .. endpoint]));

        await aws.RunAsync(AwsCliShell.Program, ["s3api", "delete-bucket-ownership-controls", "--bucket", bucket, .. endpoint]);
        Assert.Contains("OwnershipControlsNotFoundError",
            (await aws.TryRunAsync(AwsCliShell.Program, ["s3api", "get-bucket-ownership-controls", "--bucket", bucket, .. endpoint])).StdErr);
        await aws.RunAsync(AwsCliShell.Program, ["s3api", "put-bucket-acl", "--bucket", bucket, "--acl", "public-read", .. endpoint]);
    }
}

[ConformanceTests]
public sealed class EmbeddedStoreBucketOwnershipTests(StoreTargets target) : BucketOwnershipTests(target)
{
    protected override StoreKind Kind => StoreKind.Embedded;
}

[ConformanceTests]
public sealed class RgwLocalStoreBucketOwnershipTests(StoreTargets target) : BucketOwnershipTests(target)
{
    protected override StoreKind Kind => StoreKind.RgwLocal;
}
