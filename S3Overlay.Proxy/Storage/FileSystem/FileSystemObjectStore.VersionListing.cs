using S3Overlay.Storage.Versions;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// ListObjectVersions: the keys with a current body (walked as ListObjects walks them) merged in
/// order with the keys that have versions folders, and each key's versions, current first.
/// </summary>
/// <remarks>
/// The versions folders are named by hashes of keys, so their keys are read (one record each) and
/// sorted for each page: a bucket with very many keys that have old versions pays for that.
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

        foreach (var key in KeysWithVersions(bucket, folder, prefix, keyMarker, request.VersionIdMarker is not null))
        {
            ct.ThrowIfCancellationRequested();
            if (ListRequest.CommonPrefixOf(key, prefix, delimiter) is { } common)
            {
                if (common == lastName || (keyMarker is not null && Utf8Order.Compare(common, keyMarker) <= 0)) continue;
                if (Full()) return Truncated();
                prefixes.Add(common);
                (lastName, lastVersion) = (common, null);
                continue;
            }
            var resumeAfter = key == keyMarker ? request.VersionIdMarker : null;
            var skipping = resumeAfter is not null;
            foreach (var version in await VersionsOfKeyAsync(bucket, key, ct))
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
        return new VersionsPage(versions, prefixes, false, null, null);
    }

    /// <summary>The keys to list, in order: after the key marker (or from it, when resuming inside its versions).</summary>
    private IEnumerable<string> KeysWithVersions(string bucket, ConfinedFolder folder, string prefix, string? keyMarker, bool fromMarker)
    {
        if (fromMarker && keyMarker is not null) yield return keyMarker;
        using var current = CurrentKeysAfter(bucket, folder, prefix, keyMarker).GetEnumerator();
        using var versioned = VersionedKeys(bucket, prefix, keyMarker).GetEnumerator();
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
        var root = _layout.VersionsDir(bucket);
        if (!Directory.Exists(root)) return keys;
        foreach (var dir in Directory.EnumerateDirectories(root, "*", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 1 }))
        {
            var record = Directory.EnumerateFiles(dir, "*.json").Select(ObjectSidecar.TryRead).FirstOrDefault(r => r is not null);
            if (record is null || !record.Key.StartsWith(prefix, StringComparison.Ordinal)) continue;
            if (after is not null && Utf8Order.Compare(record.Key, after) <= 0) continue;
            keys.Add(record.Key);
        }
        keys.Sort(Utf8Order.Instance);
        return keys;
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
