using System.Xml.Linq;
using Microsoft.Extensions.Logging.Abstractions;
using S3Overlay.Lifecycle;
using S3Overlay.S3.Lifecycle;
using S3Overlay.Storage;
using S3Overlay.Storage.FileSystem;
using S3Overlay.Storage.Versions;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Lifecycle;

/// <summary>
/// A client writes a key again between the scan's look at its expired object and the scan's
/// delete (the window a load test's client once fell into: its new object gone half a second
/// after its write, long before its own lifecycle day). The front store here lands that write at
/// exactly that moment, every time: the delete must refuse the new object, not delete it.
/// </summary>
[UnitTests]
public sealed class LifecycleRewriteRaceTests : IDisposable
{
    private const string Bucket = "expiring";
    private const string Key = "exp/k0";
    private static readonly TimeSpan Day = TimeSpan.FromMilliseconds(100);
    private readonly string _dir = Directory.CreateTempSubdirectory("s3overlay-rewrite-race-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly LifecycleConfiguration Expiry = LifecycleXml.FromXml(XElement.Parse(
        """<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ID>expire</ID><Filter><Prefix>exp/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>"""));

    [Theory]
    [InlineData(false, true)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(true, false)]
    public async Task A_write_landing_between_the_scans_look_and_its_delete_is_kept(bool versioned, bool indexed)
    {
        using var store = new FileSystemObjectStore(_dir, TimeProvider.System, new FileSystemStoreOptions { Exclusive = indexed });
        await store.CreateBucketAsync(Bucket, CancellationToken.None);
        if (versioned) await store.PutBucketVersioningAsync(Bucket, BucketVersioning.Enabled, CancellationToken.None);
        await PutAsync(store, "old");
        var front = new RewritingBeforeDelete(store);
        var progress = new LifecycleProgress();
        var scan = new BucketScan(new LifecycleStores(store, front), new LifecycleDays(Day), progress, NullLogger.Instance);

        // Long past the old object's day: without the rewrite it would go.
        await scan.RunAsync(Bucket, Expiry, DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None);

        Assert.Equal(1, front.Rewrites);
        var current = await store.FindObjectAsync(Bucket, Key, CancellationToken.None);
        Assert.NotNull(current);
        Assert.Equal(front.Written!.ETag, current.ETag);
        Assert.Equal(0, progress.Now().SinceStart.ObjectsExpired);
        if (versioned)
        {
            var versions = (await store.ListObjectVersionsAsync(Bucket, new VersionsRequest(Prefix: Key), CancellationToken.None)).Versions;
            Assert.DoesNotContain(versions, v => v.IsDeleteMarker);
        }
    }

    private static Task<ObjectInfo> PutAsync(IObjectStore store, string text) =>
        store.PutObjectAsync(Bucket, Key, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)), new ObjectWrite { ContentLength = text.Length }, CancellationToken.None);

    /// <summary>The front store, with a client's write of the key landing just before each delete of it.</summary>
    private sealed class RewritingBeforeDelete(IObjectStore inner) : ForwardingStore(inner)
    {
        public int Rewrites { get; private set; }
        public ObjectInfo? Written { get; private set; }

        public override async Task<DeletedVersion> DeleteObjectVersionAsync(string bucket, string key, string? versionId, ObjectDelete delete, CancellationToken ct)
        {
            await RewriteAsync();
            return await base.DeleteObjectVersionAsync(bucket, key, versionId, delete, ct);
        }

        public override async Task DeleteObjectAsync(string bucket, string key, CancellationToken ct)
        {
            await RewriteAsync();
            await base.DeleteObjectAsync(bucket, key, ct);
        }

        private async Task RewriteAsync()
        {
            Written = await PutAsync(Inner, "new, written as the scan was about to delete the old");
            Rewrites++;
        }
    }
}
