using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Overlay;

/// <summary>
/// Listings through the overlay merge the local store's keys with the remote's: 760 remote and
/// 750 local keys, 250 of them on both sides (local wins), 60 remote ones whited out, paged
/// with several page sizes, with and without a delimiter, against an expectation computed here
/// from the seeded keys alone. Runs once per kind of local store, over one remote bucket.
/// </summary>
/// <remarks>
/// Key names avoid s3rver's listing bugs (a key that is also a folder, <c>a</c> beside <c>a/b</c>,
/// sorts wrongly there): no key is ever a folder name. All keys are ASCII, so ordinal order is S3's.
/// </remarks>
public abstract class OverlayMergedListingTests(OverlayServers servers, ITestOutputHelper output) : IClassFixture<OverlayServers>
{
    protected abstract LocalStoreKind Kind { get; }

    /// <summary>The remote S3 server: s3rver, or RGW (a production server).</summary>
    protected virtual RemoteKind RemoteServer => RemoteKind.S3rver;

    private sealed record Seed(string Key, string? Remote, string? Local, bool WhitedOut);

    /// <summary>Folders g00..g24 of keys, one key in ten at the top level, and a folder whose keys are all whited out.</summary>
    private static List<Seed> Plan()
    {
        var random = new Random(9);
        var scheme = Enumerable.Range(0, 1240).Select(i => i % 10 == 9 ? $"top{i:D4}" : $"g{i / 50:D2}/k{i:D4}").OrderBy(_ => random.Next()).ToList();
        var seeds = new List<Seed>();
        // 490 remote only (40 of them whited out), 250 on both sides, 500 local only ...
        for (var i = 0; i < scheme.Count; i++)
        {
            var key = scheme[i];
            seeds.Add(i switch
            {
                < 490 => new Seed(key, $"remote {key}", null, WhitedOut: i < 40),
                < 740 => new Seed(key, $"remote {key}", $"local copy of {key}", false),
                _ => new Seed(key, null, $"local copy of {key}", false),
            });
        }
        // ... and 20 more remote only, all whited out: their folder must not be listed.
        seeds.AddRange(Enumerable.Range(0, 20).Select(j => new Seed($"g01z/gone{j:D2}", $"remote g01z/gone{j:D2}", null, WhitedOut: true)));
        return seeds;
    }

    /// <summary>What a listing must show, computed from the plan alone: keys with the winning side's size and ETag, and common prefixes.</summary>
    private static List<string> Expected(List<Seed> seeds, string prefix, string? delimiter)
    {
        var entries = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var seed in seeds.Where(s => !s.WhitedOut && s.Key.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var at = delimiter is null ? -1 : seed.Key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
            entries.Add(at >= 0 ? seed.Key[..(at + 1)] : Describe(seed.Key, seed.Local ?? seed.Remote!));
        }
        return entries.ToList();
    }

    private static string Describe(string key, string body) =>
        $"{key} {Encoding.UTF8.GetByteCount(body)} \"{Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(body)))}\"";

    /// <summary>
    /// The remote side of the plan, put once a run (for each remote server) for every kind of local store (its 780 s3rver
    /// PUTs were half of each test's seeding): the first test to start makes the bucket and puts
    /// it, the other waits for it. The bucket is there before either proxy starts; its keys are
    /// put while the test puts its local side.
    /// </summary>
    private static readonly Dictionary<RemoteKind, Task<(string Bucket, Task Seeded)>> s_remotes = [];
    private static readonly Lock RemoteGate = new();

    private static Task<(string Bucket, Task Seeded)> RemoteAsync(RemoteKind kind, S3User remote)
    {
        lock (RemoteGate)
        {
            if (!s_remotes.TryGetValue(kind, out var seeding)) s_remotes[kind] = seeding = SeedRemoteAsync(remote, Plan());
            return seeding;
        }
    }

    private static async Task<(string, Task)> SeedRemoteAsync(S3User user, List<Seed> seeds)
    {
        // A client of the seeding's own: the seeding outlives the test class that began it when
        // that class ends early (its local store skipped), and with the class its fixture's clients.
        var remote = S3Clients.Create(user.Url, user.AccessKey, user.SecretKey, defaults: false);
        var bucket = "merged-" + Guid.NewGuid().ToString("N")[..12];
        await remote.PutBucketAsync(bucket);
        return (bucket, PutAllAsync());

        async Task PutAllAsync()
        {
            using (remote)
                await ForEachAsync(seeds.Where(s => s.Remote is not null), s => remote.PutObjectAsync(
                    new PutObjectRequest { BucketName = bucket, Key = s.Key, ContentBody = s.Remote, UseChunkEncoding = false }));
        }
    }

    [Fact]
    public async Task Merged_listings_page_exactly_through_local_and_remote_keys_minus_whiteouts()
    {
        var seeds = Plan();
        var clock = Stopwatch.StartNew();
        var (remoteBucket, remoteSeeded) = await RemoteAsync(RemoteServer, await servers.RemoteUserAsync(RemoteServer));
        await using var env = await OverlayEnvironment.StartAsync(servers, Kind, remoteBucket: remoteBucket, remoteKind: RemoteServer);
        var bucket = env.Bucket;
        await env.Client.PutBucketAsync(bucket);
        // Both sides at once, 16 puts at a time each (s3rver is the slow part).
        await Task.WhenAll(
            Timed("remote (or waited for)", remoteSeeded),
            Timed("local", ForEachAsync(seeds.Where(s => s.Local is not null), s => env.Client.PutObjectAsync(
                new PutObjectRequest { BucketName = bucket, Key = s.Key, ContentBody = s.Local, UseChunkEncoding = false }))));
        await env.Client.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = bucket,
            Objects = seeds.Where(s => s.WhitedOut).Select(s => new KeyVersion { Key = s.Key }).ToList(),
        });
        output.WriteLine($"seeded in {clock.ElapsedMilliseconds} ms");

        // Max-keys 1 over everything would take ~1,200 pages, each a listing of every store
        // (s3rver takes ~25 ms a listing of this bucket): it runs over one folder instead, g01/,
        // with the whited-out g01z/ beside it.
        foreach (var (prefix, maxKeys) in new[] { ("", 1000), ("", 7), ("g01", 1) })
        {
            foreach (var delimiter in new[] { null, "/" })
            {
                clock.Restart();
                var expected = Expected(seeds, prefix, delimiter);
                Assert.Equal(expected, await ListV2Async(env.Client, bucket, prefix, delimiter, maxKeys));
                output.WriteLine($"V2 prefix '{prefix}' delimiter '{delimiter}' max-keys {maxKeys}: {expected.Count} entries in {clock.ElapsedMilliseconds} ms");
            }
        }
        Assert.Equal(Expected(seeds, "", "/"), await ListV1Async(env.Client, bucket, "", "/", 7));
        Assert.Equal(Expected(seeds, "g1", null), await ListV1Async(env.Client, bucket, "g1", null, 100));
        Assert.DoesNotContain("g01z/", Expected(seeds, "", "/"));
    }

    private async Task Timed(string what, Task task)
    {
        var clock = Stopwatch.StartNew();
        await task;
        output.WriteLine($"{what} seeded in {clock.ElapsedMilliseconds} ms");
    }

    private static async Task ForEachAsync(IEnumerable<Seed> seeds, Func<Seed, Task> put) =>
        await Parallel.ForEachAsync(seeds, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (s, _) => await put(s));

    /// <summary>Every page of a V2 listing, each full unless it is the last, as one sequence of entries.</summary>
    private static async Task<List<string>> ListV2Async(Amazon.S3.AmazonS3Client client, string bucket, string prefix, string? delimiter, int maxKeys)
    {
        var all = new List<string>();
        string? token = null;
        while (true)
        {
            var page = await client.ListObjectsV2Async(new ListObjectsV2Request
            {
                BucketName = bucket, Prefix = prefix, Delimiter = delimiter, MaxKeys = maxKeys, ContinuationToken = token,
            });
            var entries = Entries(page.S3Objects, page.CommonPrefixes);
            all.AddRange(entries);
            if (page.IsTruncated != true) return all;
            Assert.Equal(maxKeys, entries.Count);
            token = page.NextContinuationToken;
        }
    }

    /// <summary>A V1 listing resumed by NextMarker (with a delimiter) or the last key (without), as clients do.</summary>
    private static async Task<List<string>> ListV1Async(Amazon.S3.AmazonS3Client client, string bucket, string prefix, string? delimiter, int maxKeys)
    {
        var all = new List<string>();
        string? marker = null;
        while (true)
        {
            var page = await client.ListObjectsAsync(new ListObjectsRequest
            {
                BucketName = bucket, Prefix = prefix, Delimiter = delimiter, MaxKeys = maxKeys, Marker = marker,
            });
            var entries = Entries(page.S3Objects, page.CommonPrefixes);
            all.AddRange(entries);
            if (page.IsTruncated != true) return all;
            Assert.Equal(maxKeys, entries.Count);
            marker = page.NextMarker ?? page.S3Objects[^1].Key;
        }
    }

    private static List<string> Entries(List<S3Object>? objects, List<string>? prefixes) =>
        (objects ?? []).Select(o => $"{o.Key} {o.Size} {o.ETag}").Concat(prefixes ?? [])
            .OrderBy(e => e.Split(' ')[0], StringComparer.Ordinal).ToList();
}

[FunctionalTests]
public sealed class OverlayMergedListingOverEmbeddedStoreTests(OverlayServers servers, ITestOutputHelper output) : OverlayMergedListingTests(servers, output)
{
    protected override LocalStoreKind Kind => LocalStoreKind.Embedded;
}

/// <summary>The same test with a second s3rver as the local store (S3_OVERLAY_LOCAL_ENDPOINT).</summary>
[FunctionalTests]
public sealed class OverlayMergedListingOverS3LocalStoreTests(OverlayServers servers, ITestOutputHelper output) : OverlayMergedListingTests(servers, output)
{
    protected override LocalStoreKind Kind => LocalStoreKind.S3;
}

/// <summary>The same test with Ceph's RADOS Gateway as the local store.</summary>
[FunctionalTests]
public sealed class OverlayMergedListingOverRgwLocalStoreTests(OverlayServers servers, ITestOutputHelper output) : OverlayMergedListingTests(servers, output)
{
    protected override LocalStoreKind Kind => LocalStoreKind.Rgw;
}

/// <summary>The same test reading through to Ceph's RADOS Gateway as the remote.</summary>
[FunctionalTests]
public sealed class OverlayMergedListingOverRgwRemoteTests(OverlayServers servers, ITestOutputHelper output) : OverlayMergedListingTests(servers, output)
{
    protected override LocalStoreKind Kind => LocalStoreKind.Embedded;
    protected override RemoteKind RemoteServer => RemoteKind.Rgw;
}
