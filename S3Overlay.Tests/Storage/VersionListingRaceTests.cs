using S3Overlay.Storage;
using S3Overlay.Storage.FileSystem;
using S3Overlay.Storage.Versions;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Storage;

/// <summary>
/// ListObjectVersions of the embedded store while the same keys' versions are written and removed
/// beside it (a client's deletes, the lifecycle scanner's removals), over the listing index and by
/// a walk of the files. Each key's listing must be a view the key had: its versions newest first,
/// the newest one latest (a delete marker written meanwhile is either current or not listed, never
/// listed behind the marker it replaced, which the scanner would then take for noncurrent and
/// remove); and a version or a versions folder that vanishes under the listing is left out, never
/// an I/O error (which a client is answered as 503).
/// </summary>
[UnitTests]
public sealed class VersionListingRaceTests : IDisposable
{
    private const string Bucket = "versioned";
    private static readonly TimeSpan RaceFor = TimeSpan.FromSeconds(4);
    private readonly string _dir = Directory.CreateTempSubdirectory("s3overlay-version-race-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A store with a bucket that keeps versions: over the listing index (it owns the folder), or walking the files.</summary>
    private async Task<FileSystemObjectStore> VersionedStoreAsync(bool indexed)
    {
        var store = new FileSystemObjectStore(_dir, TimeProvider.System, new FileSystemStoreOptions { Exclusive = indexed, BootId = "boot-1" });
        await store.CreateBucketAsync(Bucket, CancellationToken.None);
        await store.PutBucketVersioningAsync(Bucket, BucketVersioning.Enabled, CancellationToken.None);
        return store;
    }

    private static Task<ObjectInfo> PutAsync(FileSystemObjectStore store, string key, string body = "x") =>
        store.PutObjectAsync(Bucket, key, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body)), new ObjectWrite { ContentLength = body.Length }, CancellationToken.None);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_delete_marker_written_under_the_listing_is_never_listed_behind_the_one_it_replaced(bool indexed)
    {
        using var store = await VersionedStoreAsync(indexed);
        string[] keys = ["vx/a", "vx/b"];
        foreach (var key in keys) await PutAsync(store, key);

        // Markers stack on each key, the oldest versions removed by id as the scanner would, while the keys are listed.
        var failures = await RaceAsync(store, keys, async (key, random) =>
        {
            await store.DeleteObjectVersionAsync(Bucket, key, null, CancellationToken.None);
            var listed = await store.ListObjectVersionsAsync(Bucket, new VersionsRequest(Prefix: key), CancellationToken.None);
            if (listed.Versions.Count > 4) await store.DeleteObjectVersionAsync(Bucket, key, listed.Versions[^1].VersionId, CancellationToken.None);
        });
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Versions_and_versions_folders_removed_under_the_listing_are_left_out_not_an_error(bool indexed)
    {
        using var store = await VersionedStoreAsync(indexed);
        string[] keys = ["v/a", "v/b", "v/c/d"];

        // Each key gets versions and a marker and loses them all again by id, so its versions folder is made and pruned over and over.
        var failures = await RaceAsync(store, keys, async (key, random) =>
        {
            var written = new List<string>();
            for (var i = random.Next(1, 4); i > 0; i--) written.Add((await PutAsync(store, key, new string('y', i))).VersionId!);
            if (random.Next(2) == 0) written.Add((await store.DeleteObjectVersionAsync(Bucket, key, null, CancellationToken.None)).VersionId!);
            foreach (var id in random.Next(2) == 0 ? written : Enumerable.Reverse(written))
                await store.DeleteObjectVersionAsync(Bucket, key, id, CancellationToken.None);
        });
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>
    /// Runs <paramref name="change"/> over and over on each key (a task per key) while two listers
    /// list the bucket's versions in small pages; what the listers found wrong, or threw.
    /// </summary>
    private static async Task<List<string>> RaceAsync(FileSystemObjectStore store, string[] keys, Func<string, Random, Task> change)
    {
        using var stop = new CancellationTokenSource(RaceFor);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var listings = 0;
        var writers = keys.Select((key, i) => Task.Run(async () =>
        {
            var random = new Random(i);
            while (!stop.IsCancellationRequested) await change(key, random);
        }));
        var listers = Enumerable.Range(0, 2).Select(n => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && failures.Count < 5)
            {
                try
                {
                    foreach (var wrong in Check(await ListAllAsync(store, maxKeys: 2 + n))) failures.Enqueue(wrong);
                    Interlocked.Increment(ref listings);
                }
                catch (Exception e)
                {
                    failures.Enqueue($"the listing threw {e}");
                }
            }
        }));
        await Task.WhenAll(writers.Concat(listers));
        Assert.True(listings > 10, $"only {listings} listings ran");
        return failures.ToList();
    }

    private static async Task<List<ObjectVersion>> ListAllAsync(FileSystemObjectStore store, int maxKeys)
    {
        var listed = new List<ObjectVersion>();
        string? keyMarker = null, versionIdMarker = null;
        while (true)
        {
            var page = await store.ListObjectVersionsAsync(Bucket, new VersionsRequest("", null, keyMarker, versionIdMarker, maxKeys), CancellationToken.None);
            listed.AddRange(page.Versions);
            if (!page.IsTruncated) return listed;
            (keyMarker, versionIdMarker) = (page.NextKeyMarker, page.NextVersionIdMarker);
        }
    }

    /// <summary>
    /// What is wrong with each key's versions as listed: the embedded store's ids begin with their
    /// creation's ticks, so newest first is descending order; only the first is latest. (Pages
    /// read a key's versions at different moments, so a key split across pages is judged per run
    /// of descending ids: a newer version after the page break is a later view, not a wrong one.)
    /// </summary>
    private static IEnumerable<string> Check(List<ObjectVersion> listed)
    {
        foreach (var key in listed.GroupBy(v => v.Info.Key))
        {
            var versions = key.ToList();
            if (versions.Any(v => v.VersionId == VersionIds.Null)) yield return $"{key.Key}: a null version listed in a bucket that always kept versions";
            var shown = string.Join(", ", versions.Select(v => $"{v.VersionId[..Math.Min(16, v.VersionId.Length)]}{(v.IsDeleteMarker ? " marker" : "")}{(v.IsLatest ? " latest" : "")}"));
            if (versions.Count(v => v.IsLatest) > 1 || (versions.Any(v => v.IsLatest) && !versions[0].IsLatest))
                yield return $"{key.Key}: latest not first: {shown}";
            for (var i = 1; i < versions.Count; i++)
                if (string.CompareOrdinal(versions[i].VersionId, versions[i - 1].VersionId) >= 0 && !versions[i].IsLatest)
                    yield return $"{key.Key}: a newer version listed behind an older one, not latest: {shown}";
        }
    }
}
