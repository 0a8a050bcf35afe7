using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Clients;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.S3;

namespace S3Overlay.Tests.Lifecycle;

/// <summary>
/// Lifecycle in a versioned bucket, as S3 documents each rule: NoncurrentVersionExpiration counts
/// a version's days from when it stopped being current (its successor's creation) and keeps the
/// NewerNoncurrentVersions newest; Expiration of a current version adds a delete marker; and
/// ExpiredObjectDeleteMarker removes a marker once it is its key's only version. Rules are put
/// with the aws CLI; versions are watched with the AWS SDK. A day lasts <see cref="DaySeconds"/> seconds.
/// </summary>
public abstract class VersionedLifecycleTests(StoreTargets target) : EveryStoreTests(target)
{
    private const int DaySeconds = 3;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["S3_OVERLAY_LIFECYCLE_INTERVAL"] = "1",
        ["S3_OVERLAY_LIFECYCLE_DAY_SECONDS"] = DaySeconds.ToString(),
    };

    private static readonly TimeSpan ScanDeadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Noncurrent_versions_go_their_days_after_a_newer_version_replaced_them_keeping_the_newest_noncurrent_ones()
    {
        var bucket = await VersionedBucketAsync();
        await PutRulesAsync(bucket, """{"Rules":[{"ID":"old","Filter":{"Prefix":"docs/"},"Status":"Enabled","NoncurrentVersionExpiration":{"NoncurrentDays":2,"NewerNoncurrentVersions":1}}]}""");

        var first = await PutAsync(bucket, "docs/a.txt", "one");
        // Longer than its two days would be if they counted from its own creation: they count from the next version's.
        await Task.Delay(TimeSpan.FromSeconds(DaySeconds + 1));
        var replaced = DateTimeOffset.UtcNow;
        var second = await PutAsync(bucket, "docs/a.txt", "two");
        var third = await PutAsync(bucket, "docs/a.txt", "three");
        var otherOld = await PutAsync(bucket, "other/b.txt", "one");
        var otherNew = await PutAsync(bucket, "other/b.txt", "two");

        await Polling.EventuallyAsync(async () =>
        {
            var ids = await VersionIdsAsync(bucket, "docs/");
            if (!ids.Contains(first)) Assert.True(DateTimeOffset.UtcNow - replaced >= TimeSpan.FromSeconds(2 * DaySeconds - 1), "removed before two days after it was replaced");
            return !ids.Contains(first);
        }, "the version replaced two days ago goes", ScanDeadline);

        // The newest noncurrent version stays however old, and keys outside the prefix keep theirs; scans go on.
        await Task.Delay(TimeSpan.FromSeconds(2 * DaySeconds + 2));
        Assert.Equal([third, second], await VersionIdsAsync(bucket, "docs/"));
        Assert.Equal([otherNew, otherOld], await VersionIdsAsync(bucket, "other/"));
        using var old = await Client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "docs/a.txt", VersionId = second });
        Assert.Equal("two", await new StreamReader(old.ResponseStream).ReadToEndAsync());
    }

    [Fact]
    public async Task Expiration_adds_a_delete_marker_and_a_marker_left_alone_is_removed()
    {
        var bucket = await VersionedBucketAsync();
        var kept = await PutAsync(bucket, "exp/x.txt", "x");
        await PutAsync(bucket, "gone/y.txt", "y");
        await Client.DeleteObjectAsync(bucket, "gone/y.txt");
        await PutRulesAsync(bucket, """
            {"Rules":[
              {"ID":"expire","Filter":{"Prefix":"exp/"},"Status":"Enabled","Expiration":{"Days":1}},
              {"ID":"tidy","Filter":{"Prefix":"gone/"},"Status":"Enabled","NoncurrentVersionExpiration":{"NoncurrentDays":1},"Expiration":{"ExpiredObjectDeleteMarker":true}}]}
            """);

        await Polling.EventuallyAsync(async () => (await VersionsAsync(bucket, "gone/")).Count == 0, "the noncurrent version and then its delete marker go", ScanDeadline);
        await Polling.EventuallyAsync(async () => (await VersionsAsync(bucket, "exp/")).Count == 2, "the current version gets a delete marker", ScanDeadline);

        var versions = await VersionsAsync(bucket, "exp/");
        Assert.True(versions[0].IsDeleteMarker == true && versions[0].IsLatest == true, "the newest is a delete marker");
        Assert.Equal((kept, false), (versions[1].VersionId, versions[1].IsLatest == true));
        var read = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => Client.GetObjectAsync(bucket, "exp/x.txt"));
        Assert.Equal("NoSuchKey", read.ErrorCode);
        // A marker is not expired again: the key keeps its two versions through later scans.
        await Task.Delay(TimeSpan.FromSeconds(DaySeconds + 2));
        Assert.Equal(2, (await VersionsAsync(bucket, "exp/")).Count);
    }

    private async Task<string> VersionedBucketAsync()
    {
        var bucket = await Target.NewBucketAsync();
        await Client.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = bucket, VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
        });
        return bucket;
    }

    private async Task PutRulesAsync(string bucket, string rules)
    {
        using var aws = new ClientProcess();
        aws.UseAwsProfile();
        var put = await aws.TryRunAsync(AwsCliShell.Program, ["s3api", "put-bucket-lifecycle-configuration", "--bucket", bucket,
            "--lifecycle-configuration", rules, "--endpoint-url", Target.Proxy.Url, "--no-cli-pager"]);
        Assert.True(put.ExitCode == 0, put.StdErr);
    }

    private async Task<string> PutAsync(string bucket, string key, string body) =>
        (await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = body })).VersionId;

    private async Task<List<S3ObjectVersion>> VersionsAsync(string bucket, string prefix) =>
        (await Client.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket, Prefix = prefix })).Versions ?? [];

    private async Task<List<string>> VersionIdsAsync(string bucket, string prefix) => (await VersionsAsync(bucket, prefix)).Select(v => v.VersionId).ToList();
}

[ConformanceTests]
[StartsFirst]
public sealed class EmbeddedStoreVersionedLifecycleTests(StoreTargets target) : VersionedLifecycleTests(target)
{
    protected override StoreKind Kind => StoreKind.Embedded;
}

[ConformanceTests]
[StartsFirst]
public sealed class RgwLocalStoreVersionedLifecycleTests(StoreTargets target) : VersionedLifecycleTests(target)
{
    protected override StoreKind Kind => StoreKind.RgwLocal;
}
