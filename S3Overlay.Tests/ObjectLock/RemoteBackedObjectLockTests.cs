using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.ObjectLock;

/// <summary>
/// Object Lock of a bucket a remote backs, through the overlay: its local bucket has it (after
/// versioning, as S3 requires), the local versions lock as the local store locks them, a DELETE
/// without a version id is a delete marker whatever the locks, and the remote's object (the null
/// version) is never written, so never locked. s3rver is the remote; each kind of local store
/// keeps the locks its own way.
/// </summary>
public abstract partial class RemoteBackedObjectLockTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    protected abstract LocalStoreKind Kind { get; }

    private static Task SeedAsync(OverlayEnvironment env, string key, string body) =>
        env.Remote.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = key, ContentBody = body, UseChunkEncoding = false });

    private static async Task<string> BodyAsync(OverlayEnvironment env, string key, string? versionId = null)
    {
        using var got = await env.Client.GetObjectAsync(new GetObjectRequest { BucketName = env.Bucket, Key = key, VersionId = versionId });
        return await new StreamReader(got.ResponseStream).ReadToEndAsync();
    }

    private static Task<DeleteObjectResponse> DeleteVersionAsync(OverlayEnvironment env, string key, string versionId, bool bypass = false) =>
        env.Client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = env.Bucket, Key = key, VersionId = versionId, BypassGovernanceRetention = bypass ? true : null });

    private static async Task<AmazonS3Exception> RefusedAsync(HttpStatusCode status, string code, Func<Task> request)
    {
        var refused = await Assert.ThrowsAnyAsync<AmazonS3Exception>(request);
        Assert.Equal((status, code), (refused.StatusCode, refused.ErrorCode));
        return refused;
    }

    private static void AssertRemoteNeverWritten(OverlayEnvironment env) =>
        Assert.Equal(0, env.Relay.Requests("PUT") + env.Relay.Requests("DELETE") + env.Relay.Requests("POST"));

    /// <summary>A write that will be locked needs a Content-MD5 (or a checksum), as S3 requires.</summary>
    private static string Md5Of(string body) => Convert.ToBase64String(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(body)));

    private static Task PutLockConfigurationAsync(OverlayEnvironment env, int? defaultDays) => env.Client.PutObjectLockConfigurationAsync(new PutObjectLockConfigurationRequest
    {
        BucketName = env.Bucket,
        ObjectLockConfiguration = new ObjectLockConfiguration
        {
            ObjectLockEnabled = ObjectLockEnabled.Enabled,
            Rule = defaultDays is { } days ? new ObjectLockRule { DefaultRetention = new DefaultRetention { Mode = ObjectLockRetentionMode.Governance, Days = days } } : null,
        },
    });

    /// <summary>
    /// Gives the test's bucket Object Lock: versioning, then the configuration, as S3 allows on a
    /// bucket that exists. RGW 16 enables it only as a bucket is created, so there the local bucket
    /// is created with it (the remote's bucket already is one the merged view shows).
    /// </summary>
    private async Task LockBucketAsync(OverlayEnvironment env, int? defaultDays)
    {
        if (Kind == LocalStoreKind.Rgw) await env.Client.PutBucketAsync(new PutBucketRequest { BucketName = env.Bucket, ObjectLockEnabledForBucket = true });
        else await env.Client.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = env.Bucket, VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
        });
        await PutLockConfigurationAsync(env, defaultDays);
    }

    [Fact]
    public async Task Local_versions_lock_by_the_buckets_default_and_a_delete_only_adds_a_marker_the_remote_untouched()
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, Kind);
        await SeedAsync(env, "doc.txt", "from the remote");

        // As S3: Object Lock needs versioning enabled first.
        await RefusedAsync(HttpStatusCode.Conflict, "InvalidBucketState", () => PutLockConfigurationAsync(env, 1));
        await LockBucketAsync(env, defaultDays: 1);
        var configuration = (await env.Client.GetObjectLockConfigurationAsync(new GetObjectLockConfigurationRequest { BucketName = env.Bucket })).ObjectLockConfiguration;
        Assert.Equal((ObjectLockRetentionMode.Governance, 1), (configuration.Rule.DefaultRetention.Mode, configuration.Rule.DefaultRetention.Days ?? 0));
        // Versioning cannot be suspended under Object Lock.
        await RefusedAsync(HttpStatusCode.Conflict, "InvalidBucketState", () => env.Client.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = env.Bucket, VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Suspended },
        }));

        // A local write over the remote's object is a version under the default retention.
        var mine = (await env.Client.PutObjectAsync(new PutObjectRequest
            { BucketName = env.Bucket, Key = "doc.txt", ContentBody = "mine", MD5Digest = Md5Of("mine") })).VersionId;
        var head = await env.Client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = env.Bucket, Key = "doc.txt", VersionId = mine });
        Assert.Equal(ObjectLockMode.Governance, head.ObjectLockMode);
        Assert.InRange(head.ObjectLockRetainUntilDate!.Value.ToUniversalTime(), DateTime.UtcNow.AddHours(23), DateTime.UtcNow.AddHours(25));
        await RefusedAsync(HttpStatusCode.Forbidden, "AccessDenied", () => DeleteVersionAsync(env, "doc.txt", mine));

        // A DELETE without a version id is a delete marker, as S3 allows whatever the locks; the marker itself can be removed.
        var marker = await env.Client.DeleteObjectAsync(env.Bucket, "doc.txt");
        Assert.Equal("true", marker.DeleteMarker);
        await RefusedAsync(HttpStatusCode.NotFound, "NoSuchKey", () => BodyAsync(env, "doc.txt"));
        Assert.Equal("mine", await BodyAsync(env, "doc.txt", mine));
        Assert.Equal("from the remote", await BodyAsync(env, "doc.txt", "null"));
        await DeleteVersionAsync(env, "doc.txt", marker.VersionId);
        Assert.Equal("mine", await BodyAsync(env, "doc.txt"));

        // GOVERNANCE yields to a bypass by a caller allowed it (the root key); then the remote's object is the latest again.
        await DeleteVersionAsync(env, "doc.txt", mine, bypass: true);
        Assert.Equal("from the remote", await BodyAsync(env, "doc.txt"));
        AssertRemoteNeverWritten(env);
    }

    [Fact]
    public async Task The_remotes_object_carries_no_lock_and_is_given_none_until_a_copy_makes_it_a_local_version()
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, Kind);
        await SeedAsync(env, "old.txt", "from the remote");
        await LockBucketAsync(env, defaultDays: null);

        await RefusedAsync(HttpStatusCode.NotFound, "NoSuchObjectLockConfiguration", () =>
            env.Client.GetObjectRetentionAsync(new GetObjectRetentionRequest { BucketName = env.Bucket, Key = "old.txt" }));
        var until = DateTime.UtcNow.AddDays(1);
        foreach (var versionId in new[] { null, "null" })
        {
            var refused = await RefusedAsync(HttpStatusCode.NotImplemented, "NotImplemented", () => env.Client.PutObjectRetentionAsync(new PutObjectRetentionRequest
            {
                BucketName = env.Bucket, Key = "old.txt", VersionId = versionId,
                Retention = new ObjectLockRetention { Mode = ObjectLockRetentionMode.Compliance, RetainUntilDate = until },
            }));
            Assert.Contains("remote", refused.Message);
            await RefusedAsync(HttpStatusCode.NotImplemented, "NotImplemented", () => env.Client.PutObjectLegalHoldAsync(new PutObjectLegalHoldRequest
            {
                BucketName = env.Bucket, Key = "old.txt", VersionId = versionId, LegalHold = new ObjectLockLegalHold { Status = ObjectLockLegalHoldStatus.On },
            }));
        }
        // A key neither side has is no object to lock.
        await RefusedAsync(HttpStatusCode.NotFound, "NoSuchKey", () => env.Client.PutObjectLegalHoldAsync(new PutObjectLegalHoldRequest
        {
            BucketName = env.Bucket, Key = "nowhere.txt", LegalHold = new ObjectLockLegalHold { Status = ObjectLockLegalHoldStatus.On },
        }));

        // Copied onto its key, it is a local version: locked under COMPLIANCE and a legal hold, removed by no one.
        var copy = (await env.Client.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = env.Bucket, SourceKey = "old.txt", DestinationBucket = env.Bucket, DestinationKey = "old.txt",
            MetadataDirective = S3MetadataDirective.REPLACE,
        })).VersionId;
        await env.Client.PutObjectRetentionAsync(new PutObjectRetentionRequest
        {
            BucketName = env.Bucket, Key = "old.txt", Retention = new ObjectLockRetention { Mode = ObjectLockRetentionMode.Compliance, RetainUntilDate = until },
        });
        await env.Client.PutObjectLegalHoldAsync(new PutObjectLegalHoldRequest
        {
            BucketName = env.Bucket, Key = "old.txt", VersionId = copy, LegalHold = new ObjectLockLegalHold { Status = ObjectLockLegalHoldStatus.On },
        });
        var retention = (await env.Client.GetObjectRetentionAsync(new GetObjectRetentionRequest { BucketName = env.Bucket, Key = "old.txt", VersionId = copy })).Retention;
        Assert.Equal(ObjectLockRetentionMode.Compliance, retention.Mode);
        var hold = (await env.Client.GetObjectLegalHoldAsync(new GetObjectLegalHoldRequest { BucketName = env.Bucket, Key = "old.txt" })).LegalHold;
        Assert.Equal(ObjectLockLegalHoldStatus.On, hold.Status);
        await RefusedAsync(HttpStatusCode.Forbidden, "AccessDenied", () => DeleteVersionAsync(env, "old.txt", copy, bypass: true));
        var batch = await Assert.ThrowsAsync<DeleteObjectsException>(() =>
            env.Client.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = env.Bucket, Objects = [new KeyVersion { Key = "old.txt", VersionId = copy }] }));
        Assert.Equal("AccessDenied", Assert.Single(batch.Response.DeleteErrors).Code);
        Assert.Equal("from the remote", await BodyAsync(env, "old.txt", copy));

        // The remote's null version beneath it carries no lock: removing it hides nothing more (it is beneath a local version) and is allowed.
        await DeleteVersionAsync(env, "old.txt", "null");
        Assert.Equal("from the remote", await BodyAsync(env, "old.txt"));
        AssertRemoteNeverWritten(env);
    }

    /// <summary>
    /// A backup tool into a bucket whose earlier backup the remote holds: rclone's files are local
    /// versions under the default retention, which rclone can hide but not remove, and the
    /// remote's backup is still read through, the remote never written.
    /// </summary>
    [Fact]
    public async Task Rclone_backs_up_into_a_locked_bucket_the_remote_backs_and_cannot_remove_the_locked_versions()
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, Kind);
        await SeedAsync(env, "earlier/backup.txt", "from the remote");
        await LockBucketAsync(env, defaultDays: 1);

        await LockedRcloneBackup.RunAsync(env.Proxy.Url, env.Client, env.Bucket);

        Assert.Equal("from the remote", await BodyAsync(env, "earlier/backup.txt"));
        AssertRemoteNeverWritten(env);
    }

    [Fact]
    public async Task A_bucket_only_the_remote_had_created_with_Object_Lock_locks_its_local_versions_over_the_remotes()
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, Kind);
        await SeedAsync(env, "k", "from the remote");
        await env.Client.PutBucketAsync(new PutBucketRequest { BucketName = env.Bucket, ObjectLockEnabledForBucket = true });
        Assert.Equal(VersionStatus.Enabled, (await env.Client.GetBucketVersioningAsync(env.Bucket)).VersioningConfig.Status);
        Assert.Equal(ObjectLockEnabled.Enabled, (await env.Client.GetObjectLockConfigurationAsync(new GetObjectLockConfigurationRequest { BucketName = env.Bucket }))
            .ObjectLockConfiguration.ObjectLockEnabled);
        var version = (await env.Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = env.Bucket, Key = "k", ContentBody = "kept", ObjectLockLegalHoldStatus = ObjectLockLegalHoldStatus.On, MD5Digest = Md5Of("kept"),
        })).VersionId;
        await RefusedAsync(HttpStatusCode.Forbidden, "AccessDenied", () => DeleteVersionAsync(env, "k", version, bypass: true));
        Assert.Equal("from the remote", await BodyAsync(env, "k", "null"));
        await env.Client.PutObjectLegalHoldAsync(new PutObjectLegalHoldRequest
        {
            BucketName = env.Bucket, Key = "k", VersionId = version, LegalHold = new ObjectLockLegalHold { Status = ObjectLockLegalHoldStatus.Off },
        });
        await DeleteVersionAsync(env, "k", version);
        Assert.Equal("from the remote", await BodyAsync(env, "k"));
        AssertRemoteNeverWritten(env);
    }
}

/// <summary>The embedded store keeps the local versions and their locks.</summary>
[FunctionalTests]
public sealed class RemoteBackedObjectLockOverEmbeddedStoreTests(OverlayServers servers) : RemoteBackedObjectLockTests(servers)
{
    protected override LocalStoreKind Kind => LocalStoreKind.Embedded;
}

/// <summary>Ceph's RADOS Gateway as the local store keeps them: its own locks and refusals.</summary>
[FunctionalTests]
public sealed class RemoteBackedObjectLockOverRgwLocalStoreTests(OverlayServers servers) : RemoteBackedObjectLockTests(servers)
{
    protected override LocalStoreKind Kind => LocalStoreKind.Rgw;
}
