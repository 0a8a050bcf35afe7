using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.S3;

namespace S3Overlay.Tests.Lifecycle;

/// <summary>
/// Lifecycle through the overlay (the embedded store in front of an s3rver remote): the scanner
/// acts only on what the local store holds, and an object it expires is deleted as a client's
/// DELETE deletes it, with a whiteout, so the remote's copy of the key does not come back. The
/// remote is never written.
/// </summary>
[ConformanceTests]
[StartsFirst]
public sealed class OverlayLifecycleTests(StoreTargets target) : LifecycleTests(target)
{
    protected override StoreKind Kind => StoreKind.Overlay;

    [Fact]
    public async Task Only_what_the_local_store_holds_expires_and_stays_deleted_while_the_remote_keeps_its_copies()
    {
        var bucket = await Target.NewBucketAsync();
        var remote = Target.Backend!;
        await remote.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "logs/far.log", ContentBody = "far", UseChunkEncoding = false });
        await remote.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "logs/both.log", ContentBody = "remote", UseChunkEncoding = false });
        await remote.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "logs/read.log", ContentBody = "read", UseChunkEncoding = false });
        await PutAsync(bucket, "logs/both.log", 10); // written here over the remote's
        await PutAsync(bucket, "logs/here.log", 10);
        using (var read = await Client.GetObjectAsync(bucket, "logs/read.log")) // a cached copy (S3_OVERLAY_CACHE_ENABLED)
            Assert.Equal("read", await new StreamReader(read.ResponseStream).ReadToEndAsync());

        await PutRulesAsync(bucket, "<LifecycleConfiguration><Rule><ID>logs</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status>"
            + "<Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>");

        // Expired: what the overlay wrote and what it cached; reads answer NoSuchKey from then on.
        await Polling.EventuallyAsync(async () => await GoneAsync(bucket, "logs/both.log") && await GoneAsync(bucket, "logs/here.log") && await GoneAsync(bucket, "logs/read.log"),
            "the local objects expire", ScanDeadline);
        // A whole scan later, the key only the remote has is untouched, and still read through.
        await Task.Delay(TimeSpan.FromSeconds(2 * DaySeconds));
        using (var far = await Client.GetObjectAsync(bucket, "logs/far.log"))
            Assert.Equal("far", await new StreamReader(far.ResponseStream).ReadToEndAsync());
        Assert.True(await GoneAsync(bucket, "logs/both.log"));
        var remoteKeys = (await remote.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects.Select(o => o.Key).Order(StringComparer.Ordinal);
        Assert.Equal(["logs/both.log", "logs/far.log", "logs/read.log"], remoteKeys);
        using var both = await remote.GetObjectAsync(bucket, "logs/both.log");
        Assert.Equal("remote", await new StreamReader(both.ResponseStream).ReadToEndAsync());
    }

    private async Task<bool> GoneAsync(string bucket, string key)
    {
        try
        {
            await Client.GetObjectMetadataAsync(bucket, key);
            return false;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return true;
        }
    }
}
