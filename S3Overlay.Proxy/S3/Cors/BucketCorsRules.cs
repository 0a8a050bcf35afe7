using System.Collections.Concurrent;
using S3Overlay.S3.Acl;
using S3Overlay.Storage;

namespace S3Overlay.S3.Cors;

/// <summary>
/// The buckets' CORS rules as <see cref="BucketCors"/> applies them, remembered so a page's many
/// requests do not each read the bucket's settings from the store. PutBucketCors, DeleteBucketCors
/// and deleting or re-creating the bucket forget a bucket's entry here; an entry also expires after
/// <see cref="Lifetime"/>, which bounds how long another replica's change goes unseen.
/// </summary>
public sealed class BucketCorsRules(IObjectStore store, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    // Bumped by every Forget: a read that began before it does not store what it read.
    private long _generation;

    private sealed record Entry(List<CorsRule>? Rules, DateTimeOffset Until);

    /// <summary>The bucket's rules; null when it has none. NoSuchBucket (not remembered) when there is no bucket.</summary>
    public async Task<List<CorsRule>?> OfAsync(string bucket, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_entries.TryGetValue(bucket, out var entry) && entry.Until > now) return entry.Rules;
        var generation = Interlocked.Read(ref _generation);
        var rules = CorsRule.FromText(await store.GetBucketSettingAsync(bucket, BucketSettings.Cors, ct));
        if (Interlocked.Read(ref _generation) == generation) _entries[bucket] = new Entry(rules, now + Lifetime);
        return rules;
    }

    public void Forget(string bucket)
    {
        Interlocked.Increment(ref _generation);
        _entries.TryRemove(bucket, out _);
    }
}
