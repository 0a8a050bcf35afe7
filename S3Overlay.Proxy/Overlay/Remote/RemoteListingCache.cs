using System.Collections.Concurrent;
using S3Overlay.Storage;

namespace S3Overlay.Overlay.Remote;

/// <summary>
/// Remote listing pages remembered: served again for
/// <c>S3_OVERLAY_LISTING_CACHE_TTL</c> without asking the remote (GDAL lists a folder on every
/// open), and while the remote fails, for <c>S3_OVERLAY_STALE_IF_ERROR</c> (RFC 5861's
/// stale-if-error, nginx's <c>proxy_cache_use_stale</c>). In-process only, as the negative cache:
/// a cache of the remote's answers, bounded by the entries its pages hold.
/// </summary>
internal sealed class RemoteListingCache(TimeSpan ttl, TimeSpan staleIfError, TimeProvider clock, int maxEntries = 200_000)
{
    private readonly ConcurrentDictionary<(string RemoteBucket, ListRequest Request), (ListPage Page, DateTimeOffset At)> _pages = new();
    private int _entries;

    private TimeSpan Kept => ttl > staleIfError ? ttl : staleIfError;

    /// <summary>A page younger than the TTL: the remote need not be asked.</summary>
    public ListPage? Fresh(string remoteBucket, ListRequest request) => Younger(remoteBucket, request, ttl);

    /// <summary>A page younger than the stale-if-error window, for when the remote fails.</summary>
    public ListPage? Stale(string remoteBucket, ListRequest request) => Younger(remoteBucket, request, staleIfError);

    public void Remember(string remoteBucket, ListRequest request, ListPage page)
    {
        if (Kept <= TimeSpan.Zero) return;
        var size = Size(page);
        if (Volatile.Read(ref _entries) + size > maxEntries) Prune();
        if (Volatile.Read(ref _entries) + size > maxEntries) return;
        var now = clock.GetUtcNow();
        _pages.AddOrUpdate((remoteBucket, request), _ => Add((page, now)), (_, old) =>
        {
            Interlocked.Add(ref _entries, -Size(old.Page));
            return Add((page, now));
        });
    }

    private (ListPage, DateTimeOffset) Add((ListPage Page, DateTimeOffset At) entry)
    {
        Interlocked.Add(ref _entries, Size(entry.Page));
        return entry;
    }

    private ListPage? Younger(string remoteBucket, ListRequest request, TimeSpan age) =>
        age > TimeSpan.Zero && _pages.TryGetValue((remoteBucket, request), out var kept) && clock.GetUtcNow() - kept.At < age ? kept.Page : null;

    /// <summary>Drops every page of the remote bucket (a change the remote announced shows in the next listing).</summary>
    public void Forget(string remoteBucket)
    {
        if (_pages.IsEmpty) return;
        foreach (var (id, kept) in _pages)
            if (id.RemoteBucket == remoteBucket && _pages.TryRemove(new KeyValuePair<(string, ListRequest), (ListPage, DateTimeOffset)>(id, kept)))
                Interlocked.Add(ref _entries, -Size(kept.Page));
    }

    /// <summary>Drops what has outlived both uses; then, if still full, everything (a rare burst of listings).</summary>
    private void Prune()
    {
        var now = clock.GetUtcNow();
        foreach (var (id, kept) in _pages)
            if (now - kept.At >= Kept && _pages.TryRemove(new KeyValuePair<(string, ListRequest), (ListPage, DateTimeOffset)>(id, kept)))
                Interlocked.Add(ref _entries, -Size(kept.Page));
        if (Volatile.Read(ref _entries) < maxEntries / 2) return;
        foreach (var id in _pages.Keys)
            if (_pages.TryRemove(id, out var kept)) Interlocked.Add(ref _entries, -Size(kept.Page));
    }

    private static int Size(ListPage page) => page.Objects.Count + page.CommonPrefixes.Count + 1;
}
