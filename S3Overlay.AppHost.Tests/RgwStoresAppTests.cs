using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.AppHost.Seeding;
using S3Overlay.AppHost.Stores;

namespace S3Overlay.AppHost.Tests;

/// <summary>The whole AppHost with Ceph RGW clusters as its "minio" and "remote" (S3Overlay:Stores=rgw); not started where Ceph is not installed.</summary>
public sealed class RgwOverlayApp : OverlayApp
{
    protected override string Stores => "rgw";

    public override async ValueTask InitializeAsync()
    {
        if (RgwProcessResource.Probe().Installed) await base.InitializeAsync();
    }
}

/// <summary>
/// The Aspire app over a production S3 server where no container runtime is: the proxy fills from
/// an RGW remote into an RGW local store and writes stay in the local one, each checked through the
/// store's own endpoint.
/// </summary>
[Collection(OverlayApp.Collection)]
public class RgwStoresAppTests(RgwOverlayApp overlay) : IClassFixture<RgwOverlayApp>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Over_Ceph_RGW_a_cold_read_fills_the_local_store_and_a_write_stays_local()
    {
        var (installed, why) = RgwProcessResource.Probe();
        Assert.SkipUnless(installed, $"Ceph RGW cannot run here: {why}");
        var processes = overlay.ProcessTree();
        Assert.Equal(2, processes.Count(p => p.CommandLine.StartsWith("radosgw ")));
        Assert.DoesNotContain(processes, p => p.CommandLine.Contains("S3Overlay.Proxy.dll serve"));
        var item = DemoObjects.All.Single(o => o.Key == "hello.txt");
        using var local = await overlay.StoreAsync("minio", Cancellation);
        using var remote = await overlay.StoreAsync("remote", Cancellation);

        Assert.Equal(item.Text, await ReadTextAsync(overlay.Proxy, DemoObjects.LocalBucket, item.Key));
        // The fill stores its copy after the reader has its bytes.
        string? stored = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(20); stored is null && DateTime.UtcNow < deadline; await Task.Delay(100, Cancellation))
            stored = await TryReadTextAsync(local, DemoObjects.LocalBucket, item.Key);
        Assert.Equal(item.Text, stored);

        await overlay.Proxy.PutObjectAsync(new PutObjectRequest { BucketName = DemoObjects.LocalBucket, Key = "written-here.txt", ContentBody = "local only" }, Cancellation);
        Assert.Equal("local only", await ReadTextAsync(local, DemoObjects.LocalBucket, "written-here.txt"));
        Assert.Null(await TryReadTextAsync(remote, DemoObjects.RemoteBucket, "written-here.txt"));
    }

    /// <summary>
    /// The RGW remote pushes its notifications to the proxy (an SNS topic the AppHost makes, its
    /// push endpoint the proxy's event inbox): a cached object replaced at the remote is served new
    /// at the next read, with no revalidation set.
    /// </summary>
    [Fact]
    public async Task Over_Ceph_RGW_a_change_at_the_remote_is_pushed_and_the_next_read_serves_it()
    {
        var (installed, why) = RgwProcessResource.Probe();
        Assert.SkipUnless(installed, $"Ceph RGW cannot run here: {why}");
        const string key = "events/news.txt";
        using var remote = await overlay.StoreAsync("remote", Cancellation);
        using var local = await overlay.StoreAsync("minio", Cancellation);
        await remote.PutObjectAsync(new PutObjectRequest { BucketName = DemoObjects.RemoteBucket, Key = key, ContentBody = "first", UseChunkEncoding = false }, Cancellation);
        Assert.Equal("first", await ReadTextAsync(overlay.Proxy, DemoObjects.LocalBucket, key));
        string? stored = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(20); stored is null && DateTime.UtcNow < deadline; await Task.Delay(100, Cancellation))
            stored = await TryReadTextAsync(local, DemoObjects.LocalBucket, key);
        Assert.Equal("first", stored);

        await remote.PutObjectAsync(new PutObjectRequest { BucketName = DemoObjects.RemoteBucket, Key = key, ContentBody = "second", UseChunkEncoding = false }, Cancellation);
        // RGW pushes before it answers the PUT (a topic that is not persistent): the proxy knows by now.
        Assert.Equal("second", await ReadTextAsync(overlay.Proxy, DemoObjects.LocalBucket, key));
    }

    private static async Task<string> ReadTextAsync(IAmazonS3 s3, string bucket, string key)
    {
        using var response = await s3.GetObjectAsync(bucket, key, Cancellation);
        using var reader = new StreamReader(response.ResponseStream, Encoding.UTF8);
        return await reader.ReadToEndAsync(Cancellation);
    }

    private static async Task<string?> TryReadTextAsync(IAmazonS3 s3, string bucket, string key)
    {
        try
        {
            return await ReadTextAsync(s3, bucket, key);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
