using Microsoft.Extensions.Logging.Abstractions;
using S3Overlay.Overlay;
using S3Overlay.Overlay.Eviction;
using S3Overlay.Overlay.Remote;
using S3Overlay.Tests.Reliability;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Overlay;

/// <summary>
/// The eviction index's record when a flush fails: what this proxy removed or corrected must
/// reach the record with the next write that succeeds, not be merged back from the old record
/// (a fresh-clone CI run's crash test found the index counting 6 chunks where none was stored).
/// </summary>
[UnitTests]
public sealed class CacheIndexFlushTests
{
    private const string CacheBucket = "cache";
    private static readonly CacheEntryId Big = new(CacheEntryKind.Chunks, "remote", "big");

    [Fact]
    public async Task A_unit_removed_stays_out_of_the_record_when_the_flush_carrying_it_failed()
    {
        var (store, index) = await IndexWithThreeChunksAsync();

        index.Remove(Big);
        store.WriteFailure = new IOException("a moment's failure");
        Assert.False(await index.FlushAsync(CancellationToken.None));
        store.WriteFailure = null;
        Assert.True(await index.FlushAsync(CancellationToken.None));

        Assert.Null(index.Find(Big));
        Assert.Empty(await CacheBookkeeping.ReadIndexAsync(store, CacheBucket));
    }

    [Fact]
    public async Task A_unit_corrected_keeps_its_count_when_the_flush_carrying_it_failed()
    {
        var (store, index) = await IndexWithThreeChunksAsync();

        index.Correct(new CacheEntry(CacheEntryKind.Chunks, "remote", "big", null, 100, 1, 0));
        store.WriteFailure = new IOException("a moment's failure");
        Assert.False(await index.FlushAsync(CancellationToken.None));
        store.WriteFailure = null;
        Assert.True(await index.FlushAsync(CancellationToken.None));

        Assert.Equal((1, 100L), (index.Find(Big)!.Chunks, index.Find(Big)!.Size));
        var stored = Assert.Single(await CacheBookkeeping.ReadIndexAsync(store, CacheBucket));
        Assert.Equal((1, 100L), (stored.Chunks, stored.Size));
    }

    /// <summary>An index whose record (flushed) names three chunks of one object.</summary>
    private static async Task<(InMemoryObjectStore, CacheIndex)> IndexWithThreeChunksAsync()
    {
        var store = new InMemoryObjectStore();
        var settings = new OverlaySettings(BucketMapping.Identity, CacheEnabled: true, ChunkThreshold: 1024, ChunkSize: 1024, CacheBucket,
            NegativeLookupTtl: TimeSpan.Zero, RevalidateAfter: null, SpillDirectory: Path.GetTempPath());
        var index = new CacheIndex(store, new LocalBuckets(store), settings, TimeProvider.System, NullLogger<CacheIndex>.Instance);
        await index.LoadAsync(CancellationToken.None);
        for (var i = 0; i < 3; i++) index.RecordChunk("remote", "big", 100);
        Assert.True(await index.FlushAsync(CancellationToken.None));
        Assert.Equal(3, Assert.Single(await CacheBookkeeping.ReadIndexAsync(store, CacheBucket)).Chunks);
        return (store, index);
    }
}
