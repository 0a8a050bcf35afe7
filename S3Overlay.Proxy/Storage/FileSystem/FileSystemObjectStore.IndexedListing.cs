using S3Overlay.Storage.FileSystem.Index;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// ListObjects over the listing index: one seek to where the page starts, then the keys it returns,
/// each described by its row. A row left unsettled (by a rebuild, or a kill in the middle of a
/// change) is looked at in its files, which are the truth, and settled: a key no file holds is
/// skipped and removed. A common prefix costs one seek past all its keys
/// (<see cref="ListingIndex.PastPrefix"/>), so a folder of 10,000 sub-folders is 10,000 seeks, not
/// a read of every key below them.
/// </summary>
internal sealed partial class FileSystemObjectStore
{
    /// <summary>Past every key: no UTF-8 string starts with the byte 0xFF.</summary>
    private static readonly byte[] PastEveryKey = [0xFF];

    private async Task<ListPage> ListIndexedAsync(string bucket, ConfinedFolder folder, string prefix, string? delimiter, string? startAfter, int maxKeys, CancellationToken ct)
    {
        var listed = new List<ListedRow>();
        var page = await ListIndexedPageAsync(bucket, folder, prefix, delimiter, startAfter, maxKeys, listed, ct);
        SettleListed(bucket, folder, listed);
        return page;
    }

    /// <param name="listed">Gains the unsettled keys the page described from their files, to be settled once it is read.</param>
    private async Task<ListPage> ListIndexedPageAsync(string bucket, ConfinedFolder folder, string prefix, string? delimiter, string? startAfter, int maxKeys,
        List<ListedRow> listed, CancellationToken ct)
    {
        var objects = new List<ObjectInfo>();
        var prefixes = new List<string>();
        string? last = null;
        var end = prefix.Length == 0 ? PastEveryKey : ListingIndex.PastPrefix(prefix);
        var from = FirstOfPage(prefix, startAfter);
        while (true)
        {
            string? skipPast = null;
            foreach (var (key, description) in _index!.Keys(bucket, from, end))
            {
                ct.ThrowIfCancellationRequested();
                if (ListRequest.CommonPrefixOf(key, prefix, delimiter) is { } common)
                {
                    // At or before StartAfter: listed on an earlier page.
                    if (startAfter is not null && Utf8Order.Compare(common, startAfter) <= 0) { skipPast = common; break; }
                    // A prefix stands for keys that are there: the first with a body (a settled row says so) proves it.
                    if (description is null && FilesIn(folder, bucket, key).Current() is null)
                    {
                        await SettleListedAsync(bucket, key, ct);
                        continue;
                    }
                    if (objects.Count + prefixes.Count == maxKeys) return new ListPage(objects, prefixes, true, last);
                    prefixes.Add(common);
                    last = skipPast = common;
                    break;
                }
                var info = description is not null ? Described(description) : await DescribeIndexedAsync(bucket, folder, key, listed, ct);
                if (info is null) continue; // deleted since, or what a kill left in the index
                if (objects.Count + prefixes.Count == maxKeys) return new ListPage(objects, prefixes, true, last);
                objects.Add(info);
                last = key;
            }
            if (skipPast is null) return new ListPage(objects, prefixes, false, null);
            from = ListingIndex.PastPrefix(skipPast);
        }
    }

    /// <summary>Where a page starts: the prefix, or just after StartAfter when that sorts after it.</summary>
    private static byte[] FirstOfPage(string prefix, string? startAfter) =>
        startAfter is not null && Utf8Order.Compare(startAfter, prefix) >= 0 ? ListingIndex.After(startAfter) : ListingIndex.Bytes(prefix);

    /// <summary>
    /// An unsettled key described as <see cref="DescribeListedAsync"/> does (from its sidecar when
    /// that describes the file in place), its row settled to what its files say: with the page
    /// (<paramref name="listed"/>) when its sidecar describes its body, else now.
    /// </summary>
    private async Task<ObjectInfo?> DescribeIndexedAsync(string bucket, ConfinedFolder folder, string key, List<ListedRow> listed, CancellationToken ct)
    {
        ObjectInfo? info = null;
        if (FilesIn(folder, bucket, key).Current() is { } current)
        {
            var (file, version) = current;
            if (ListedRowOf(bucket, key, version) is { } row)
            {
                listed.Add(row);
                return row.Described.ToInfo();
            }
            info = _described.TryGet(bucket, key, version)
                ?? ValidSidecar(_layout.SidecarPath(bucket, key), key, version.Size, version.LastWriteUtc)?.ToInfo();
            if (info is null && OpenForReading(file) is { } opened)
            {
                using (opened.File) info = await DescribeAsync(bucket, key, opened, ct);
            }
        }
        await SettleListedAsync(bucket, key, ct);
        return info;
    }

    /// <summary>Settles an unsettled row a listing met, under the key's lock (a write may be in the middle of a change).</summary>
    private async Task SettleListedAsync(string bucket, string key, CancellationToken ct)
    {
        using (await _locks.AcquireAsync(bucket, key, ct)) Settle(bucket, key);
    }
}
