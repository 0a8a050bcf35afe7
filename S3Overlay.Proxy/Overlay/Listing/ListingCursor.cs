using S3Overlay.Storage;

namespace S3Overlay.Overlay.Listing;

/// <summary>
/// One side of a merged listing, read lazily a page at a time: its entries (keys and common
/// prefixes) in S3 order, strictly after the StartAfter it began with.
/// </summary>
internal sealed class ListingCursor
{
    /// <summary>An entry of a listing: a key (with its object) or a common prefix (Object null).</summary>
    public readonly record struct Entry(string Name, ObjectInfo? Object)
    {
        public bool IsPrefix => Object is null;
    }

    private readonly Func<string?, Task<ListPage>> _fetch;
    private readonly ListRequest _request;
    private readonly Queue<Entry> _buffer = new();
    private Task<ListPage>? _pending;
    private string? _resume; // where the next page starts, in the store's terms
    private string? _last;   // the last entry read: nothing at or before it is read again
    private bool _ended;

    /// <param name="fetch">Reads the page that starts after the given entry.</param>
    public ListingCursor(ListRequest request, Func<string?, Task<ListPage>> fetch)
    {
        _request = request;
        _fetch = fetch;
        _resume = _last = request.StartAfter;
        _pending = fetch(_resume); // both sides' first pages are asked for at once
    }

    public async ValueTask<Entry?> PeekAsync()
    {
        while (_buffer.Count == 0 && !_ended)
        {
            var page = await (_pending ?? _fetch(_resume));
            _pending = null;
            foreach (var entry in InOrder(page))
            {
                // Strictly increasing: drops what a store repeats (the entry holding StartAfter) and
                // the repeats of a prefix rolled up here from a flat listing.
                if (_last is not null && Utf8Order.Compare(entry.Name, _last) <= 0) continue;
                _buffer.Enqueue(entry);
                _last = entry.Name;
            }
            // A store that does not move on would be asked for the same page forever.
            if (!page.IsTruncated || page.NextStartAfter is null || page.NextStartAfter == _resume) _ended = true;
            else _resume = page.NextStartAfter;
        }
        return _buffer.Count > 0 ? _buffer.Peek() : null;
    }

    public void Take() => _buffer.Dequeue();

    /// <summary>A page's keys and common prefixes in one S3 order; keys under the delimiter rolled up (a flat listing).</summary>
    private IEnumerable<Entry> InOrder(ListPage page)
    {
        var entries = page.Objects.Select(o => _request.CommonPrefixOf(o.Key) is { } p ? new Entry(p, null) : new Entry(o.Key, o))
            .Concat(page.CommonPrefixes.Select(p => new Entry(p, null)));
        return entries.OrderBy(e => e.Name, Utf8Order.Instance);
    }
}
