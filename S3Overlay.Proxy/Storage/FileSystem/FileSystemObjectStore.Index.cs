using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using S3Overlay.Storage.FileSystem.Index;
using S3Overlay.Storage.Versions;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// The listing index (<see cref="ListingIndex"/>) of the buckets this store created: opened, and
/// where it cannot be trusted rebuilt from the files, at start-up; told of every change of a key's
/// body or current description, before (<see cref="Unsettle"/>) and after (<see cref="Settle"/>). A bucket folder the store did not create (a folder put into the
/// data folder by hand, a served folder, a data folder older than the index) is walked,
/// so files changed there behind the server's back are listed as they are.
/// </summary>
internal sealed partial class FileSystemObjectStore
{
    /// <summary>Marks, in the bucket's metadata folder, a bucket this store created: the index covers it.</summary>
    private const string IndexedMark = "indexed";

    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Opens the index (only for the data folder's one owner: a second process writing the same
    /// folder would change keys under another's feet) and makes it cover every bucket marked as
    /// the store's, reading again from the files each one it does not hold whole.
    /// </summary>
    private ListingIndex? OpenIndex(ILogger log)
    {
        if (!_options.Exclusive) return null;
        // Gone before the index is read again: a change another process makes from now on marks it anew.
        var changedByOthers = File.Exists(ChangedByOthers) ? $"another process changed files ({File.ReadAllText(ChangedByOthers).Trim()})" : null;
        if (changedByOthers is not null) File.Delete(ChangedByOthers);
        var index = ListingIndex.Open(Path.Join(_layout.Reserved, "index"), _options.BootId, log, changedByOthers);
        try
        {
            var marked = new DirectoryInfo(_layout.Root).EnumerateDirectories()
                .Where(d => BucketNameRule.IsAddressable(d.Name) && (d.Attributes & FileAttributes.ReparsePoint) == 0 && File.Exists(IndexedMarkOf(d.Name)))
                .Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in index.Buckets.Where(b => !marked.Contains(b))) index.Drop(gone);
            var missing = marked.Where(b => !index.Covers(b)).Order(Utf8Order.Instance).ToList();
            if (missing.Count > 0 && index.Distrusted is { } why)
                log.LogWarning("Rebuilding the listing index {Path} from the files of {Count} buckets: {Why}", index.Path, missing.Count, why);
            foreach (var bucket in missing) RebuildIndex(index, bucket, log);
        }
        catch (SqliteException e)
        {
            index.Fail(e);
        }
        return index;
    }

    private void RebuildIndex(ListingIndex index, string bucket, ILogger log)
    {
        if (_buckets.Current(bucket) is not { } folder) return;
        var clock = Stopwatch.StartNew();
        var cpu = Environment.CpuUsage.TotalTime; // on a busy machine the time a rebuild waited for a core is not its cost
        var logged = TimeSpan.Zero;
        // In no order: the index's B-tree orders them (a sort of a folder of a million names took longer than the inserts).
        var keys = new ListingWalker(folder, "", PlainKeys.Instance, "", null, null, inOrder: false).Walk()
            .Concat(new ListingWalker(_area, bucket, EncodedKeys.Instance, "", null, null, inOrder: false).Walk())
            .Select(e => e.Name);
        var uploads = AllUploads(bucket).Select(u => new IndexedUpload(u.Key, u.Initiated.UtcTicks, u.UploadId));
        var (count, versioned) = index.Rebuild(bucket, keys, VersionsFoldersInFiles(bucket), uploads, done =>
        {
            if (clock.Elapsed - logged < ProgressEvery) return;
            logged = clock.Elapsed;
            log.LogInformation("Listing index: {Count} rows (keys, and keys with versions) of bucket {Bucket} read from its files so far ({Seconds:F0} s)", done, bucket, logged.TotalSeconds);
        });
        log.LogInformation("Listing index: bucket {Bucket} rebuilt from its files, {Count} keys in {Seconds:F1} s ({Cpu:F1} s of CPU); {Versioned} keys with versions beyond the current",
            bucket, count, clock.Elapsed.TotalSeconds, (Environment.CpuUsage.TotalTime - cpu).TotalSeconds, versioned);
    }

    /// <summary>The keys that have a body, by walking the bucket's folder and its part of the store's area.</summary>
    private IEnumerable<string> CurrentKeys(string bucket, ConfinedFolder folder, string prefix, string? after)
    {
        var plain = new ListingWalker(folder, "", PlainKeys.Instance, prefix, null, after).Walk();
        var encoded = new ListingWalker(_area, bucket, EncodedKeys.Instance, prefix, null, after).Walk();
        return ListingWalker.Merge(plain, encoded).Select(e => e.Name);
    }

    private string IndexedMarkOf(string bucket) => Path.Join(_layout.MetaDir(bucket), IndexedMark);

    /// <summary>A bucket just created: marked as the store's and covered by the index, before its folder exists, so no write into it goes unseen.</summary>
    private void IndexNewBucket(string bucket)
    {
        if (_index is null) return;
        Directory.CreateDirectory(_layout.MetaDir(bucket));
        File.WriteAllBytes(IndexedMarkOf(bucket), []);
        _index.Adopt(bucket);
    }

    /// <summary>
    /// Before a change of the key's body or current description, under the key's lock: its row
    /// sends listings to the files until <see cref="Settle"/> (what a kill between the two leaves).
    /// </summary>
    /// <remarks>
    /// A store that is not the folder's owner keeps no index: a change it makes to a bucket the
    /// index covers marks the index stale (<see cref="ChangedByOthers"/>), so the owner's next start
    /// reads those buckets again from the files rather than list what its rows last knew.
    /// </remarks>
    private void Unsettle(string bucket, string key, bool removing = false)
    {
        if (_index is not null) _index.Unsettle(bucket, key, removing);
        else MarkChangedByOthers(bucket, key);
    }

    /// <summary>
    /// Before the key's versions folder is made or changed (under the key's lock): version listings
    /// seek it from now on, and read its records from the folder until a listing settles them
    /// (<see cref="SettledRecordsAsync"/>). A store that is not the folder's owner marks the index
    /// stale, as <see cref="Unsettle"/> does.
    /// </summary>
    private void VersionsChanging(string bucket, string key, bool removing)
    {
        if (_index is not null) _index.UnsettleVersions(bucket, key, removing);
        else MarkChangedByOthers(bucket, key);
    }

    /// <summary>
    /// The records of a versions folder of a key the index names (newest first, as
    /// <see cref="VersionFolder.Records"/> reads them): as the index holds them, or, unsettled there,
    /// read from the folder under the key's lock (no change is half made then) and settled.
    /// </summary>
    private async Task<List<ObjectSidecar>> SettledRecordsAsync(string bucket, string key, CancellationToken ct)
    {
        // An index given up meanwhile (an SQLite error) is read no more.
        if (Indexed(bucket) && _index!.SettledVersions(bucket, key) is { Length: > 0 } settled) return ReadRecords(settled);
        using (await _locks.AcquireAsync(bucket, key, ct))
        {
            var records = VersionsOf(bucket, key).Records();
            // None: a folder a kill left empty, or gone; the listing drops the row.
            if (records.Count > 0 && Indexed(bucket)) _index!.SettleVersions(bucket, key, WriteRecords(records));
            return records;
        }
    }

    /// <summary>
    /// A key's versions from the index alone, when both its rows are settled: the current version
    /// as its row describes it, then its versions folder's records (none without a folder). The rows
    /// are read in one statement, so they are one moment's, and both settled they agree: every
    /// change of the folder unsettles the records before it touches a file, and only a listing
    /// settles them again, under the key's lock, so with no change half made. Null otherwise (a
    /// row unsettled, or a delete marker current: no row), and the files are read;
    /// <paramref name="unsettled"/> then says whether the key's row is there to be settled.
    /// </summary>
    private List<ObjectVersion>? SettledVersionsOf(string bucket, string key, out bool unsettled)
    {
        unsettled = false;
        if (!Indexed(bucket)) return null;
        var rows = _index!.FindKey(bucket, key);
        unsettled = rows is { Listed: true, Description: null };
        if (rows.Description is not { } description || (rows.Versioned && rows.Records is not { Length: > 0 })) return null;
        var current = ObjectSidecarReader.Read(description);
        var currentId = current.VersionId ?? VersionIds.Null;
        var list = new List<ObjectVersion> { new(current.ToInfo(), currentId, IsLatest: true, IsDeleteMarker: false) };
        if (rows.Records is { } records) AddNoncurrent(list, ReadRecords(records), currentId, current.Sequence);
        return list;
    }

    /// <summary>Records as the index keeps them: each one's JSON (which holds no line break), a line each.</summary>
    private static byte[] WriteRecords(List<ObjectSidecar> records)
    {
        using var lines = new MemoryStream(records.Count * 400);
        foreach (var record in records)
        {
            lines.Write(JsonSerializer.SerializeToUtf8Bytes(record, StoreJson.Default.ObjectSidecar));
            lines.WriteByte((byte)'\n');
        }
        return lines.ToArray();
    }

    private static List<ObjectSidecar> ReadRecords(byte[] lines)
    {
        var records = new List<ObjectSidecar>();
        for (ReadOnlySpan<byte> rest = lines; !rest.IsEmpty;)
        {
            var end = rest.IndexOf((byte)'\n');
            records.Add(ObjectSidecarReader.Read(rest[..end]));
            rest = rest[(end + 1)..];
        }
        return records;
    }

    /// <summary>After the key's versions folder is gone (under the key's lock).</summary>
    private void Unversioned(string bucket, string key)
    {
        if (Indexed(bucket)) _index!.Unversioned(bucket, key);
    }

    private void MarkChangedByOthers(string bucket, string key)
    {
        if (File.Exists(IndexedMarkOf(bucket)) && !File.Exists(ChangedByOthers))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(ChangedByOthers)!);
            File.WriteAllText(ChangedByOthers, $"process {Environment.ProcessId} changed {bucket}/{key}\n");
        }
    }

    /// <summary>Says that a process other than the folder's owner changed files of a bucket the index covers (see <see cref="Unsettle"/>).</summary>
    private string ChangedByOthers => Path.Join(_layout.Reserved, "index", "changed-by-others");

    /// <summary>
    /// After the change (done or failed), under the key's lock: the row says what the files say.
    /// <paramref name="written"/> is the description just committed with the body now in place;
    /// without it the files are looked at: no body removes the key, a body its sidecar does not
    /// describe (put there by hand) leaves the row unsettled.
    /// </summary>
    private void Settle(string bucket, string key, ObjectSidecar? written = null)
    {
        if (!Indexed(bucket)) return;
        if (written is null)
        {
            if (_buckets.Current(bucket) is not { } folder) return;
            if (FilesIn(folder, bucket, key).Current() is not { Version: var version })
            {
                _index!.Remove(bucket, key);
                return;
            }
            written = ValidSidecar(_layout.SidecarPath(bucket, key), key, version.Size, version.LastWriteUtc, version.Inode);
            if (written is null || written.DeleteMarker) return;
        }
        _index!.Settle(bucket, key, RowOf(written));
    }

    /// <summary>A row's description: the sidecar of the body in place, without what only the files need.</summary>
    private static byte[] RowOf(ObjectSidecar written) =>
        JsonSerializer.SerializeToUtf8Bytes(written with { Previous = null, Unflushed = null }, StoreJson.Default.ObjectSidecar);

    /// <summary>
    /// What a listing read of an unsettled key, to settle its row with once the page is read
    /// (<see cref="SettleListed"/>): the body in place and the sidecar that describes it, each
    /// with the version of its file as read.
    /// </summary>
    private readonly record struct ListedRow(string Key, FileVersion Body, string SidecarPath, FileVersion Sidecar, ObjectSidecar Described);

    /// <summary>
    /// The key's sidecar when it describes the body in place (<paramref name="body"/>, read just
    /// before) as <see cref="Settle"/> would settle its row with it; null otherwise (no sidecar, one
    /// of another body, a delete marker, one a power cut may have left torn), when the caller
    /// describes the key as before and settles its row under the key's lock.
    /// </summary>
    private ListedRow? ListedRowOf(string bucket, string key, FileVersion body)
    {
        var path = _layout.SidecarPath(bucket, key);
        if (ValidSidecarVersioned(path, key, body.Size, body.LastWriteUtc, body.Inode) is not ({ DeleteMarker: false } described, var file)) return null;
        if (described.Unflushed is { } unflushed && unflushed.BootId != _options.BootId) return null;
        return new ListedRow(key, body, path, file, described);
    }

    /// <summary>Keys settled together: how many key locks a settle holds at once.</summary>
    private const int ListedRowsASettle = 128;

    /// <summary>
    /// Settles the rows a page met unsettled and described from their files (after a rebuild every
    /// row is): one commit of the index for many keys, where each key's own cost a commit and a
    /// third read of its sidecar. Each row is settled under its key's lock, as a change settles it,
    /// and only when its body and its sidecar are still the files read (a change replaces each
    /// whole, by a rename, so either one changed is a new version): what it settles is then what
    /// <see cref="Settle"/> would read there. A key whose lock is held is left unsettled: a change
    /// holds it, and settles the row itself.
    /// </summary>
    private void SettleListed(string bucket, ConfinedFolder folder, List<ListedRow> listed)
    {
        foreach (var slice in listed.Chunk(ListedRowsASettle))
        {
            if (!Indexed(bucket)) return;
            var held = new List<IDisposable>(slice.Length);
            try
            {
                var rows = new List<(string Key, byte[] Description)>(slice.Length);
                foreach (var row in slice)
                {
                    if (_locks.TryAcquire(bucket, row.Key) is not { } locked) continue;
                    held.Add(locked);
                    if (FilesIn(folder, bucket, row.Key).Current() is { Version: var body } && body == row.Body
                        && FileVersion.OfPath(row.SidecarPath) == row.Sidecar)
                        rows.Add((row.Key, RowOf(row.Described)));
                }
                _index!.Settle(bucket, rows);
            }
            finally
            {
                foreach (var locked in held) locked.Dispose();
            }
        }
    }

    /// <summary>A settled row's description, as <see cref="Settle"/> wrote it.</summary>
    private static ObjectInfo Described(byte[] description) => ObjectSidecarReader.Read(description).ToInfo();

    /// <summary>Whether the bucket's listings read the index (else they walk its folders).</summary>
    private bool Indexed(string bucket) => _index?.Covers(bucket) == true;
}
