using Microsoft.Data.Sqlite;

namespace S3Overlay.Storage.FileSystem;

internal sealed partial class FileSystemObjectStore
{
    public async Task<ListPage> ListObjectsAsync(string bucket, ListRequest request, CancellationToken ct)
    {
        var folder = RequireBucket(bucket);
        var prefix = request.Prefix ?? "";
        var delimiter = string.IsNullOrEmpty(request.Delimiter) ? null : request.Delimiter;
        var startAfter = string.IsNullOrEmpty(request.StartAfter) ? null : request.StartAfter;
        var objects = new List<ObjectInfo>();
        var prefixes = new List<string>();
        if (request.MaxKeys <= 0) return new ListPage(objects, prefixes, false, null);
        if (Indexed(bucket))
        {
            try { return await ListIndexedAsync(bucket, folder, prefix, delimiter, startAfter, request.MaxKeys, ct); }
            catch (SqliteException e) { _index!.Fail(e); } // walked below, as a bucket the index does not cover
        }

        string? last = null;
        var plain = new ListingWalker(folder, "", PlainKeys.Instance, prefix, delimiter, startAfter).Walk();
        var encoded = new ListingWalker(_area, bucket, EncodedKeys.Instance, prefix, delimiter, startAfter).Walk();
        foreach (var entry in ListingWalker.Merge(plain, encoded))
        {
            ct.ThrowIfCancellationRequested();
            var commonPrefix = entry.IsCommonPrefix ? entry.Name : ListRequest.CommonPrefixOf(entry.Name, prefix, delimiter);
            if (commonPrefix is not null)
            {
                // Keys rolled into one prefix are adjacent in key order, so comparing with the last entry dedupes.
                if (commonPrefix == last || (startAfter is not null && Utf8Order.Compare(commonPrefix, startAfter) <= 0)) continue;
                if (objects.Count + prefixes.Count == request.MaxKeys) return new ListPage(objects, prefixes, true, last);
                prefixes.Add(commonPrefix);
                last = commonPrefix;
                continue;
            }
            var info = await DescribeListedAsync(bucket, entry, ct);
            if (info is null) continue; // deleted while we walked
            if (objects.Count + prefixes.Count == request.MaxKeys) return new ListPage(objects, prefixes, true, last);
            objects.Add(info);
            last = entry.Name;
        }
        return new ListPage(objects, prefixes, false, null);
    }

    /// <summary>
    /// Reads only the sidecar when it describes the file (the common case); opens the file only to
    /// repair it, or to follow a link (where a read would follow it).
    /// </summary>
    private async Task<ObjectInfo?> DescribeListedAsync(string bucket, WalkEntry entry, CancellationToken ct)
    {
        if (!entry.IsLink)
        {
            long length;
            DateTime lastWrite;
            try
            {
                (length, lastWrite) = (entry.Entry!.Length, entry.Entry.LastWriteTimeUtc);
            }
            catch (IOException e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return null; // deleted (or evicted) since the walk saw it
            }
            if (ValidSidecar(_layout.SidecarPath(bucket, entry.Name), entry.Name, length, lastWrite) is { } sidecar)
                return sidecar.ToInfo();
        }
        if (OpenForReading(entry.File!.Value) is not { } opened) return null; // gone, or a link a read would not follow
        using (opened.File) return await DescribeAsync(bucket, entry.Name, opened, ct);
    }
}
