using System.Collections.Concurrent;

namespace S3Overlay.Storage;

/// <summary>
/// A bucket setting (its CORS rules, its policy, its default encryption) as it is applied, read from the store
/// and parsed once, then remembered so a bucket's many requests do not each read it again. The
/// handlers that change the setting, and deleting the bucket, forget the bucket's entry; an entry
/// also expires after <see cref="Lifetime"/>, which bounds how long another replica's change goes unseen.
/// </summary>
internal abstract class BucketSettingCache<T>(IObjectStore store, TimeProvider clock, string setting) where T : class
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    // Bumped by every Forget: a read that began before it does not store what it read.
    private long _generation;

    private sealed record Entry(T? Value, DateTimeOffset Until);

    /// <summary>Reads the stored text into what is applied; null text (never set) gives null.</summary>
    protected abstract T? Parse(string bucket, string? text);

    /// <summary>The stored text; a setting the store keeps in its own way (Object Lock's) is read there.</summary>
    protected virtual Task<string?> ReadAsync(string bucket, CancellationToken ct) => store.GetBucketSettingAsync(bucket, setting, ct);

    /// <summary>The bucket's setting; null when it has none. NoSuchBucket (not remembered) when there is no bucket.</summary>
    public async Task<T?> OfAsync(string bucket, CancellationToken ct)
    {
        if (TryRemembered(bucket, out var remembered)) return remembered;
        var now = clock.GetUtcNow();
        var generation = Interlocked.Read(ref _generation);
        var value = Parse(bucket, await ReadAsync(bucket, ct));
        if (Interlocked.Read(ref _generation) == generation) _entries[bucket] = new Entry(value, now + Lifetime);
        return value;
    }

    /// <summary>The bucket's setting when it is remembered and fresh, without reading or waiting: for a path that looks at it on every request.</summary>
    public bool TryRemembered(string bucket, out T? value)
    {
        var remembered = _entries.TryGetValue(bucket, out var entry) && entry.Until > clock.GetUtcNow();
        value = remembered ? entry!.Value : null;
        return remembered;
    }

    /// <summary>Remembers what the bucket's setting is known to be (a bucket just created has the one it was created with).</summary>
    public void Remember(string bucket, T? value)
    {
        Interlocked.Increment(ref _generation);
        _entries[bucket] = new Entry(value, clock.GetUtcNow() + Lifetime);
    }

    public void Forget(string bucket)
    {
        Interlocked.Increment(ref _generation);
        _entries.TryRemove(bucket, out _);
    }
}
