using S3Overlay.Storage.FileSystem.Index;
using S3Overlay.Storage.Versions;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// ListObjectVersions: the keys with a current body merged in order with the keys that have
/// versions folders, and each key's versions, current first. Where the listing index covers the
/// bucket both come from it (<see cref="ListingIndex.Keys"/>, <see cref="ListingIndex.VersionedKeys"/>):
/// a page seeks to where it starts, reads the versions of the keys it returns alone (each one's
/// current version from its files, the others' records from the index), and skips a whole common
/// prefix with one seek, so it costs what it returns however many keys the bucket holds.
/// </summary>
/// <remarks>
/// Elsewhere (a bucket the index does not cover) the current keys are walked as ListObjects walks
/// them, and the versions folders, named by hashes of keys, are read (one record each) and sorted
/// for each page: a bucket with very many keys that have old versions pays for that there.
/// </remarks>
internal sealed partial class FileSystemObjectStore
{
    public async Task<VersionsPage> ListObjectVersionsAsync(string bucket, VersionsRequest request, CancellationToken ct)
    {
        var folder = RequireBucket(bucket);
        if (_versioning.Of(bucket) == BucketVersioning.Unversioned && !HoldsVersions(bucket))
            return await UnversionedStore.ListVersionsAsync(this, bucket, request, ct);
        if (!Indexed(bucket)) return await ListVersionsPageAsync(bucket, folder, request, listed: null, ct);
        var listed = new List<ListedRow>();
        var page = await ListVersionsPageAsync(bucket, folder, request, listed, ct);
        SettleListed(bucket, folder, listed);
        return page;
    }

    /// <param name="listed">
    /// Over the index, gains the unsettled keys the page described from their files, to be settled
    /// once it is read; null walks the files.
    /// </param>
    private async Task<VersionsPage> ListVersionsPageAsync(string bucket, ConfinedFolder folder, VersionsRequest request, List<ListedRow>? listed, CancellationToken ct)
    {
        var prefix = request.Prefix ?? "";
        var delimiter = string.IsNullOrEmpty(request.Delimiter) ? null : request.Delimiter;
        var keyMarker = request.KeyMarker;
        var versions = new List<ObjectVersion>();
        var prefixes = new List<string>();
        string? lastName = null, lastVersion = null;
        bool Full() => versions.Count + prefixes.Count >= request.MaxKeys;
        VersionsPage Truncated() => new(versions, prefixes, true, lastName, lastVersion);

        var indexed = listed is not null;
        var from = FirstOfPage(prefix, keyMarker);
        // Resuming inside the marker's versions: the marker's own first.
        var resumeAt = request.VersionIdMarker is not null ? keyMarker : null;
        while (true)
        {
            string? skipPast = null;
            var keys = indexed ? IndexedKeysWithVersions(bucket, prefix, from) : KeysWithVersions(bucket, folder, prefix, keyMarker);
            foreach (var key in resumeAt is null ? keys : keys.Prepend(resumeAt))
            {
                ct.ThrowIfCancellationRequested();
                resumeAt = null;
                if (ListRequest.CommonPrefixOf(key, prefix, delimiter) is { } common)
                {
                    // Listed already (or on an earlier page): over the index, one seek past all its keys.
                    if (common == lastName || (keyMarker is not null && Utf8Order.Compare(common, keyMarker) <= 0))
                    {
                        if (!indexed) continue;
                        skipPast = common;
                        break;
                    }
                    // A prefix stands for keys that have versions: a row may name a key that has none (a kill left it).
                    if (listed is not null && (await VersionsOfListedKeyAsync(bucket, key, listed, ct)).Count == 0) continue;
                    if (Full()) return Truncated();
                    prefixes.Add(common);
                    (lastName, lastVersion) = (common, null);
                    if (!indexed) continue;
                    skipPast = common;
                    break;
                }
                var resumeAfter = key == keyMarker ? request.VersionIdMarker : null;
                var skipping = resumeAfter is not null;
                foreach (var version in listed is not null ? await VersionsOfListedKeyAsync(bucket, key, listed, ct) : await VersionsOfKeyAsync(bucket, key, listed: null, ct))
                {
                    if (skipping)
                    {
                        skipping = version.VersionId != resumeAfter;
                        continue;
                    }
                    if (Full()) return Truncated();
                    versions.Add(version);
                    (lastName, lastVersion) = (key, version.VersionId);
                }
            }
            if (skipPast is null) return new VersionsPage(versions, prefixes, false, null, null);
            from = ListingIndex.PastPrefix(skipPast);
        }
    }

    /// <summary>The keys to list from the index, from <paramref name="from"/> to the end of the prefix, in order.</summary>
    private IEnumerable<string> IndexedKeysWithVersions(string bucket, string prefix, byte[] from)
    {
        var end = prefix.Length == 0 ? PastEveryKey : ListingIndex.PastPrefix(prefix);
        return InOrder(_index!.Keys(bucket, from, end).Select(k => k.Key), _index.VersionedKeys(bucket, from, end));
    }

    /// <summary>The keys to list by walking the files, after the key marker, in order.</summary>
    private IEnumerable<string> KeysWithVersions(string bucket, ConfinedFolder folder, string prefix, string? keyMarker) =>
        InOrder(CurrentKeys(bucket, folder, prefix, keyMarker), VersionedKeys(bucket, prefix, keyMarker));

    /// <summary>Two ordered sequences of keys as one, a key in both once.</summary>
    private static IEnumerable<string> InOrder(IEnumerable<string> a, IEnumerable<string> b)
    {
        using var current = a.GetEnumerator();
        using var versioned = b.GetEnumerator();
        bool hasA = current.MoveNext(), hasB = versioned.MoveNext();
        while (hasA || hasB)
        {
            var order = !hasB ? -1 : !hasA ? 1 : Utf8Order.Compare(current.Current, versioned.Current);
            yield return order <= 0 ? current.Current : versioned.Current;
            if (order <= 0) hasA = current.MoveNext();
            if (order >= 0) hasB = versioned.MoveNext();
        }
    }

    /// <summary>The keys that have a versions folder, under the prefix and after the marker, in order.</summary>
    private List<string> VersionedKeys(string bucket, string prefix, string? after)
    {
        var keys = new List<string>();
        foreach (var key in VersionedKeysInFiles(bucket))
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal)) continue;
            if (after is not null && Utf8Order.Compare(key, after) <= 0) continue;
            keys.Add(key);
        }
        keys.Sort(Utf8Order.Instance);
        return keys;
    }

    /// <summary>Versions folders read side by side: how many.</summary>
    private const int VersionFolderReaders = 8;

    /// <summary>The key of each versions folder of the bucket (read from one of its records: the folder is named by the key's hash), in no order.</summary>
    private IEnumerable<string> VersionedKeysInFiles(string bucket) => EachVersionsFolder(bucket, KeyOfVersionsFolder, sideBySide: false);

    /// <summary>
    /// Each versions folder of the bucket as the listing index keeps it: its key and its records,
    /// settled as a listing settles them (<see cref="SettledRecordsAsync"/>; read at start-up, no
    /// change runs meanwhile), in no order.
    /// </summary>
    private IEnumerable<IndexedVersionsFolder> VersionsFoldersInFiles(string bucket) => EachVersionsFolder(bucket, dir =>
    {
        var records = new VersionFolder(dir).Records();
        if (records.Count == 0) return null; // no version left (a listing would drop its row)
        var key = records[0].Key;
        // A folder that is not where its key's versions live (put there by hand) is named, its records left unsettled.
        return new IndexedVersionsFolder(key, _layout.VersionsDir(bucket, key) == dir ? WriteRecords(records) : null);
    }, sideBySide: true);

    /// <summary>
    /// What <paramref name="read"/> makes of each versions folder of the bucket, in no order; with
    /// <paramref name="sideBySide"/>, the folders of each hash's first two digits read side by side
    /// (a rebuild's, at start-up: after a power cut it finds few of them in the page cache, and one
    /// at a time it mostly waited on the disk: 29 Nov, the page cache dropped, 100,000 keys with
    /// versions rebuilt in 19-20 s reading one record of each in turn, 12-13 s reading each whole side
    /// by side). A listing's walk reads them in turn, on its request's thread.
    /// </summary>
    private IEnumerable<T> EachVersionsFolder<T>(string bucket, Func<string, T?> read, bool sideBySide) where T : class
    {
        var shards = Subfolders(_layout.VersionsDir(bucket));
        IEnumerable<T> Read(string shard) => Subfolders(shard).Select(read).OfType<T>();
        return sideBySide ? shards.AsParallel().WithDegreeOfParallelism(VersionFolderReaders).SelectMany(Read) : shards.SelectMany(Read);
    }

    /// <summary>A folder's folders; none when it is gone (a key's last version removed meanwhile).</summary>
    private static string[] Subfolders(string folder)
    {
        try { return Directory.GetDirectories(folder); }
        catch (DirectoryNotFoundException) { return []; }
    }

    /// <summary>The key a record of the folder names; none when it is empty, or was removed since it was named.</summary>
    private static string? KeyOfVersionsFolder(string dir)
    {
        try { return Directory.EnumerateFiles(dir, "*.json").Select(ObjectSidecar.TryRead).FirstOrDefault(r => r is not null)?.Key; }
        catch (DirectoryNotFoundException) { return null; }
    }

    /// <summary>
    /// A key the index named: its versions, and where it has none left in a versions folder (a kill
    /// between the folder's removal and the row's, or before the folder was made) its row dropped, under the key's lock.
    /// </summary>
    private async Task<List<ObjectVersion>> VersionsOfListedKeyAsync(string bucket, string key, List<ListedRow> listed, CancellationToken ct)
    {
        var list = await VersionsOfKeyAsync(bucket, key, listed, ct);
        if (list.Count > 0) return list;
        using (await _locks.AcquireAsync(bucket, key, ct))
        {
            if (!Directory.Exists(_layout.VersionsDir(bucket, key))) Unversioned(bucket, key);
        }
        return list;
    }

    /// <summary>
    /// The key's versions, newest first: the current one (a body or a delete marker), then the
    /// versions folder's. A record with the current version's id, or newer than the current
    /// version, is what a kill left of a write or delete that did not commit, or one written since
    /// the current version was read: not listed. Writers hold the key's lock and this does not, so
    /// a key changed while it is read (its body replaced, or its marker) is read again: listed
    /// from a mixed view, a delete marker written meanwhile would come behind the one it replaced,
    /// and the lifecycle scanner would remove it as noncurrent.
    /// </summary>
    /// <param name="listed">
    /// Over the index (the key's versions folder's records read from it, <see cref="SettledRecordsAsync"/>,
    /// not from the folder), gains the key when its row is unsettled and its files as read describe it; null walks the files.
    /// </param>
    private async Task<List<ObjectVersion>> VersionsOfKeyAsync(string bucket, string key, List<ListedRow>? listed, CancellationToken ct)
    {
        var unsettled = false;
        if (listed is not null && SettledVersionsOf(bucket, key, out unsettled) is { } settled) return settled;
        for (var attempt = 1; ; attempt++)
        {
            var (list, unchanged, row) = await ReadVersionsOfKeyAsync(bucket, key, indexed: listed is not null, ct);
            // A key rewritten without pause: its last view, each record newer than its current one left out.
            if (!unchanged && attempt < ReadsOfAChangingKey) continue;
            // Its row settled as a ListObjects page settles it (after a rebuild, say): the next page reads the index alone.
            if (unsettled && unchanged && row is { } read) listed!.Add(read);
            else if (unsettled) await SettleListedAsync(bucket, key, ct);
            return list;
        }
    }

    private const int ReadsOfAChangingKey = 5;

    /// <summary>
    /// One view of the key's versions, whether its current version was still current once the
    /// folder's were read, and its current body's files as read when its sidecar describes it.
    /// </summary>
    private async Task<(List<ObjectVersion> Versions, bool Unchanged, ListedRow? Row)> ReadVersionsOfKeyAsync(string bucket, string key, bool indexed, CancellationToken ct)
    {
        var list = new List<ObjectVersion>();
        string? currentId = null;
        long newest = long.MaxValue;
        ListedRow? row = null;
        Func<bool> unchanged = () => OpenIfExisting(bucket, key) is null && CurrentMarker(bucket, key) is null;
        if (OpenIfExisting(bucket, key) is { } opened)
        {
            ObjectInfo? info;
            // Its sidecar read once: what describes the body, dates it (its sequence) and settles its row.
            if ((row = ListedRowOf(bucket, key, opened.Version)) is { Described: var sidecar })
            {
                opened.File.Dispose();
                info = sidecar.ToInfo();
                newest = sidecar.Sequence;
            }
            else
            {
                try
                {
                    using (opened.File) info = await DescribeAsync(bucket, key, opened, ct);
                }
                catch (Errors.StorageException e) when (e.IsMissing) { info = null; }
                if (info is not null)
                    newest = ValidSidecar(_layout.SidecarPath(bucket, key), key, opened.Version.Size, opened.Version.LastWriteUtc, opened.Version.Inode)?.Sequence ?? long.MaxValue;
            }
            if (info is not null)
            {
                currentId = info.VersionId ?? VersionIds.Null;
                list.Add(new ObjectVersion(info, currentId, IsLatest: true, IsDeleteMarker: false));
            }
            unchanged = () => opened.Key.Version() == opened.Version;
        }
        else if (CurrentMarker(bucket, key) is { } marker)
        {
            currentId = marker.VersionId ?? VersionIds.Null;
            if (marker.Sequence > 0) newest = marker.Sequence;
            list.Add(new ObjectVersion(marker.ToInfo(), currentId, IsLatest: true, IsDeleteMarker: true));
            unchanged = () => OpenIfExisting(bucket, key) is null && CurrentMarker(bucket, key) is { } still && still.VersionId == marker.VersionId;
        }
        // Read after the current version, which is then checked unchanged: a change of the folder
        // unsettles the index's records before it touches a file, so settled ones are the folder's
        // as it was when the current version was (a write moves that version there first).
        var records = indexed ? await SettledRecordsAsync(bucket, key, ct) : VersionsOf(bucket, key).Records();
        AddNoncurrent(list, records, currentId, newest);
        return (list, unchanged(), row);
    }

    /// <summary>
    /// The versions folder's records after the current version (<paramref name="currentId"/>, of
    /// sequence <paramref name="newest"/>): its own record and any newer are left out.
    /// </summary>
    private static void AddNoncurrent(List<ObjectVersion> list, List<ObjectSidecar> records, string? currentId, long newest)
    {
        // The current version's own record (a marker's; a body's replaced since it was read) dates it too.
        if (records.Find(r => r.VersionId == currentId) is { Sequence: > 0 } own) newest = Math.Min(newest, own.Sequence);
        foreach (var record in records)
        {
            if (record.VersionId == currentId || record.Sequence > newest) continue;
            list.Add(new ObjectVersion(record.ToInfo(), record.VersionId!, IsLatest: list.Count == 0, record.DeleteMarker));
        }
    }
}
