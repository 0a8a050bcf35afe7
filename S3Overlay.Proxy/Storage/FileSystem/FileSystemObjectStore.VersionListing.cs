using S3Overlay.Storage.FileSystem.Index;
using S3Overlay.Storage.Versions;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// ListObjectVersions: the keys with a current body merged in order with the keys that have
/// versions folders, and each key's versions, current first. Where the listing index covers the
/// bucket both come from it (<see cref="ListingIndex.Keys"/>, <see cref="ListingIndex.VersionedKeys"/>):
/// a page seeks to where it starts, reads the versions of the keys it returns alone, and skips a
/// whole common prefix with one seek, so it costs what it returns however many keys the bucket holds.
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

        var prefix = request.Prefix ?? "";
        var delimiter = string.IsNullOrEmpty(request.Delimiter) ? null : request.Delimiter;
        var keyMarker = request.KeyMarker;
        var versions = new List<ObjectVersion>();
        var prefixes = new List<string>();
        string? lastName = null, lastVersion = null;
        bool Full() => versions.Count + prefixes.Count >= request.MaxKeys;
        VersionsPage Truncated() => new(versions, prefixes, true, lastName, lastVersion);

        var indexed = Indexed(bucket);
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
                    if (indexed && (await VersionsOfListedKeyAsync(bucket, key, ct)).Count == 0) continue;
                    if (Full()) return Truncated();
                    prefixes.Add(common);
                    (lastName, lastVersion) = (common, null);
                    if (!indexed) continue;
                    skipPast = common;
                    break;
                }
                var resumeAfter = key == keyMarker ? request.VersionIdMarker : null;
                var skipping = resumeAfter is not null;
                foreach (var version in indexed ? await VersionsOfListedKeyAsync(bucket, key, ct) : await VersionsOfKeyAsync(bucket, key, ct))
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
        foreach (var record in VersionedKeysInFiles(bucket))
        {
            if (!record.Key.StartsWith(prefix, StringComparison.Ordinal)) continue;
            if (after is not null && Utf8Order.Compare(record.Key, after) <= 0) continue;
            keys.Add(record.Key);
        }
        keys.Sort(Utf8Order.Instance);
        return keys;
    }

    /// <summary>One record of each versions folder of the bucket (which names its key), in no order.</summary>
    private IEnumerable<ObjectSidecar> VersionedKeysInFiles(string bucket)
    {
        var root = _layout.VersionsDir(bucket);
        if (!Directory.Exists(root)) yield break;
        foreach (var dir in Directory.EnumerateDirectories(root, "*", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 1 }))
        {
            if (Directory.EnumerateFiles(dir, "*.json").Select(ObjectSidecar.TryRead).FirstOrDefault(r => r is not null) is { } record) yield return record;
        }
    }

    /// <summary>
    /// A key the index named: its versions, and where it has none left in a versions folder (a kill
    /// between the folder's removal and the row's, or before the folder was made) its row dropped, under the key's lock.
    /// </summary>
    private async Task<List<ObjectVersion>> VersionsOfListedKeyAsync(string bucket, string key, CancellationToken ct)
    {
        var list = await VersionsOfKeyAsync(bucket, key, ct);
        if (list.Count > 0) return list;
        using (await _locks.AcquireAsync(bucket, key, ct))
        {
            if (!Directory.Exists(_layout.VersionsDir(bucket, key))) Unversioned(bucket, key);
        }
        return list;
    }

    /// <summary>
    /// The key's versions, newest first: the current one (a body or a delete marker), then the
    /// versions folder's. A record with the current version's id, or newer than a current body,
    /// is what a kill left of a write or delete that did not commit: not listed.
    /// </summary>
    private async Task<List<ObjectVersion>> VersionsOfKeyAsync(string bucket, string key, CancellationToken ct)
    {
        var list = new List<ObjectVersion>();
        string? currentId = null;
        long newest = long.MaxValue;
        if (OpenIfExisting(bucket, key) is { } opened)
        {
            ObjectInfo info;
            try
            {
                using (opened.File) info = await DescribeAsync(bucket, key, opened, ct);
            }
            catch (Errors.StorageException e) when (e.IsMissing) { info = null!; }
            if (info is not null)
            {
                currentId = info.VersionId ?? VersionIds.Null;
                newest = ValidSidecar(_layout.SidecarPath(bucket, key), key, opened.Version.Size, opened.Version.LastWriteUtc, opened.Version.Inode)?.Sequence ?? long.MaxValue;
                list.Add(new ObjectVersion(info, currentId, IsLatest: true, IsDeleteMarker: false));
            }
        }
        else if (CurrentMarker(bucket, key) is { } marker)
        {
            currentId = marker.VersionId ?? VersionIds.Null;
            list.Add(new ObjectVersion(marker.ToInfo(), currentId, IsLatest: true, IsDeleteMarker: true));
        }
        foreach (var record in VersionsOf(bucket, key).Records())
        {
            if (record.VersionId == currentId || record.Sequence > newest) continue;
            list.Add(new ObjectVersion(record.ToInfo(), record.VersionId!, IsLatest: list.Count == 0, record.DeleteMarker));
        }
        return list;
    }
}
