using System.Xml.Linq;
using Microsoft.Extensions.Logging.Abstractions;
using S3Overlay.Lifecycle;
using S3Overlay.S3.Lifecycle;
using S3Overlay.Storage;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage.FileSystem;
using S3Overlay.Storage.Versions;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Lifecycle;

/// <summary>
/// A rule expiring noncurrent versions scanned over and over, a day of a tenth of a second,
/// while clients delete their keys again and again (delete markers stacked, each one replaced a
/// day or so after it was written, as the reliability load does): the newest marker of each key
/// is current after its DELETE and stays so. The scan removes versions it found noncurrent by
/// their ids; a marker written while the scan read its key must not be among them.
/// </summary>
[UnitTests]
public sealed class LifecycleMarkerRaceTests : IDisposable
{
    private const string Bucket = "versioned";
    private static readonly TimeSpan Day = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RaceFor = TimeSpan.FromSeconds(5);
    private readonly string _dir = Directory.CreateTempSubdirectory("s3overlay-marker-race-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly LifecycleConfiguration NoncurrentExpiry = LifecycleXml.FromXml(XElement.Parse(
        """<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ID>noncurrent</ID><Filter><Prefix>vx/</Prefix></Filter><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration></Rule></LifecycleConfiguration>"""));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_newest_delete_marker_stays_current_while_the_scan_expires_the_older_ones(bool indexed)
    {
        using var store = new FileSystemObjectStore(_dir, TimeProvider.System, new FileSystemStoreOptions { Exclusive = indexed, BootId = "boot-1" });
        await store.CreateBucketAsync(Bucket, CancellationToken.None);
        await store.PutBucketVersioningAsync(Bucket, BucketVersioning.Enabled, CancellationToken.None);
        var keys = Enumerable.Range(0, 8).Select(i => $"vx/c{i}/k0").ToArray();
        foreach (var key in keys)
            await store.PutObjectAsync(Bucket, key, new MemoryStream("x"u8.ToArray()), new ObjectWrite { ContentLength = 1 }, CancellationToken.None);

        var scan = new BucketScan(new LifecycleStores(store, store), new LifecycleDays(Day), new LifecycleProgress(), NullLogger.Instance);
        using var stop = new CancellationTokenSource(RaceFor);
        var lost = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var scans = 0;
        var scanner = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await scan.RunAsync(Bucket, NoncurrentExpiry, DateTimeOffset.UtcNow, CancellationToken.None);
                scans++;
            }
        });
        var deleters = keys.Select((key, i) => Task.Run(async () =>
        {
            var random = new Random(i);
            string? newest = null;
            while (!stop.IsCancellationRequested && lost.IsEmpty)
            {
                // The marker before goes noncurrent now, and is due a day later: the next DELETE comes about then.
                newest = (await store.DeleteObjectVersionAsync(Bucket, key, null, CancellationToken.None)).VersionId!;
                await Task.Delay(Day + TimeSpan.FromMilliseconds(random.Next(-20, 40)));
                if (await CurrentMarkerLostAsync(store, key, newest) is { } wrong) lost.Enqueue(wrong);
            }
        }));
        await Task.WhenAll(deleters.Append(scanner));

        Assert.True(lost.IsEmpty, string.Join("\n", lost));
        Assert.True(scans > 10, $"only {scans} scans ran");
    }

    /// <summary>What is wrong when the marker <paramref name="id"/>, the last written, is not the key's current version; null when it is.</summary>
    private static async Task<string?> CurrentMarkerLostAsync(FileSystemObjectStore store, string key, string id)
    {
        var listed = (await store.ListObjectVersionsAsync(Bucket, new VersionsRequest(Prefix: key), CancellationToken.None)).Versions;
        try
        {
            await store.HeadObjectVersionAsync(Bucket, key, id, ReadConditions.None, CancellationToken.None);
            return $"{key}: HEAD of its delete marker {id} found an object";
        }
        catch (StorageException e) when (e.Fault == StorageFault.DeleteMarkerVersion)
        {
            // The marker is there.
        }
        catch (StorageException e)
        {
            return $"{key}: HEAD of its newest delete marker {id}: {e.Fault}; listed [{string.Join(", ", listed.Select(v => $"{v.VersionId}{(v.IsDeleteMarker ? " marker" : "")}{(v.IsLatest ? " latest" : "")}"))}]";
        }
        return listed is [{ IsLatest: true } first, ..] && first.VersionId == id ? null
            : $"{key}: its newest delete marker {id} not listed latest: [{string.Join(", ", listed.Select(v => $"{v.VersionId}{(v.IsLatest ? " latest" : "")}"))}]";
    }
}
