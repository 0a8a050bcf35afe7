using S3Overlay.Storage;
using S3Overlay.Storage.Versions;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Overlay.Versions;

/// <summary>
/// The local side of a merged version listing, read lazily a page at a time: versions (each
/// key's newest first) and common prefixes, in one S3 order, after the markers it began with.
/// </summary>
internal sealed class VersionCursor
{
    /// <summary>A version (of the key <see cref="Name"/>) or a common prefix (Version null).</summary>
    public readonly record struct Entry(string Name, ObjectVersion? Version)
    {
        public bool IsPrefix => Version is null;
    }

    private readonly Func<string?, string?, Task<VersionsPage>> _fetch;
    private readonly Queue<Entry> _buffer = new();
    private Task<VersionsPage>? _pending;
    private (string? Key, string? Version) _resume;
    private string? _lastPrefix; // a prefix repeated by the next page (its keys went on) is listed once
    private bool _ended;

    // A key marker alone is past the key (S3's meaning); RGW lists the key's versions again from its first.
    private readonly string? _pastKey;

    /// <param name="fetch">Reads the page after the given key marker and version-id marker; NoSuchBucket reads as empty.</param>
    public VersionCursor(VersionsRequest request, Func<string?, string?, Task<VersionsPage>> fetch)
    {
        _fetch = fetch;
        _resume = (request.KeyMarker, request.VersionIdMarker);
        _lastPrefix = _pastKey = request.VersionIdMarker is null ? request.KeyMarker : null;
        _pending = FetchAsync(); // asked for at once, beside the remote's first page
    }

    public async ValueTask<Entry?> PeekAsync()
    {
        while (_buffer.Count == 0 && !_ended)
        {
            var page = await (_pending ?? FetchAsync());
            _pending = null;
            var entries = page.Versions.Select(v => new Entry(v.Info.Key, v)).Concat(page.CommonPrefixes.Select(p => new Entry(p, null)));
            // Stable: a key's versions keep the store's order, newest first.
            foreach (var entry in entries.OrderBy(e => e.Name, Utf8Order.Instance))
            {
                if (_pastKey is not null && Utf8Order.Compare(entry.Name, _pastKey) <= 0) continue;
                if (entry.IsPrefix)
                {
                    if (_lastPrefix is not null && Utf8Order.Compare(entry.Name, _lastPrefix) <= 0) continue;
                    _lastPrefix = entry.Name;
                }
                _buffer.Enqueue(entry);
            }
            var next = (page.NextKeyMarker, page.NextVersionIdMarker);
            // A store that does not move on would be asked for the same page forever.
            if (!page.IsTruncated || next.NextKeyMarker is null || next == _resume) _ended = true;
            else _resume = next;
        }
        return _buffer.Count > 0 ? _buffer.Peek() : null;
    }

    public void Take() => _buffer.Dequeue();

    private async Task<VersionsPage> FetchAsync()
    {
        try
        {
            return await _fetch(_resume.Key, _resume.Version);
        }
        catch (StorageException e) when (e.Fault == StorageFault.BucketNotFound)
        {
            return new VersionsPage([], [], false, null, null);
        }
    }
}
