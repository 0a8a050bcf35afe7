using Microsoft.Data.Sqlite;
using S3Overlay.Storage;
using S3Overlay.Storage.FileSystem;
using S3Overlay.Storage.Versions;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Storage;

/// <summary>
/// ListObjectVersions over the listing index (docs/stores.md): the keys that have versions beyond
/// their current body are rows of the index, kept as the versions folders are made and removed,
/// and rebuilt from those folders with the rest. Every page (each page size, with and without a
/// prefix and a delimiter, resuming by key and version-id markers) is what a walk of the files
/// lists: the same folder listed by a store that keeps no index (it walks) is the reference. A row
/// that names a key with no versions left (what a kill between a folder's removal and its row's
/// leaves) lists nothing, stands for no common prefix, and is dropped. A row's records (its
/// folder's, settled by the first listing to read them) are what later pages read, unsettled by
/// every change of the folder before it is made.
/// </summary>
[UnitTests]
public sealed class VersionListingIndexTests : IDisposable
{
    private const string Bucket = "versioned";
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly string _dir = Directory.CreateTempSubdirectory("s3overlay-version-index-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private IndexDatabase Database => new(_dir);

    private string IndexFile => Database.File;

    private FileSystemObjectStore Owner() => new(_dir, TimeProvider.System, new FileSystemStoreOptions { Exclusive = true, BootId = "boot-1" });

    /// <summary>A store that does not own the folder: it keeps no index and walks the files.</summary>
    private FileSystemObjectStore Walker() => new(_dir, TimeProvider.System, new FileSystemStoreOptions { BootId = "boot-1" });

    private static Task<ObjectInfo> PutAsync(FileSystemObjectStore store, string key, string body = "x") =>
        store.PutObjectAsync(Bucket, key, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body)), new ObjectWrite { ContentLength = body.Length }, None);

    /// <summary>
    /// Keys in every state: one version, several, a current delete marker over versions, a delete
    /// marker alone, every version removed (no key left), versions of which the current one was
    /// removed (an older one current again), in plain and nested folders, and beside a folder of their name.
    /// </summary>
    private async Task FillAsync(FileSystemObjectStore store)
    {
        await store.CreateBucketAsync(Bucket, None);
        await store.PutBucketVersioningAsync(Bucket, BucketVersioning.Enabled, None);
        await PutAsync(store, "a");
        await PutAsync(store, "a/b", "1");
        await PutAsync(store, "a/b", "22");
        await PutAsync(store, "a-b");
        await store.DeleteObjectVersionAsync(Bucket, "a-b", null, None); // a delete marker over a version
        await store.DeleteObjectVersionAsync(Bucket, "c/marker-only", null, None);
        var gone = await PutAsync(store, "c/gone");
        var goneAgain = await PutAsync(store, "c/gone", "2");
        await store.DeleteObjectVersionAsync(Bucket, "c/gone", gone.VersionId, None);
        await store.DeleteObjectVersionAsync(Bucket, "c/gone", goneAgain.VersionId, None); // nothing left
        await PutAsync(store, "c/d/e", "1");
        var newest = await PutAsync(store, "c/d/e", "22");
        await store.DeleteObjectVersionAsync(Bucket, "c/d/e", newest.VersionId, None); // the older one current again
        for (var i = 0; i < 3; i++) await PutAsync(store, "é", new string('y', i + 1));
        await PutAsync(store, "z");
    }

    private static async Task<List<string>> ListAllAsync(FileSystemObjectStore store, string prefix, string? delimiter, int maxKeys)
    {
        var listed = new List<string>();
        string? keyMarker = null, versionIdMarker = null;
        for (var pages = 0; pages < 100; pages++)
        {
            var page = await store.ListObjectVersionsAsync(Bucket, new VersionsRequest(prefix, delimiter, keyMarker, versionIdMarker, maxKeys), None);
            listed.AddRange(page.Versions.Select(v => $"{v.Info.Key} {v.VersionId} latest={v.IsLatest} marker={v.IsDeleteMarker} size={v.Info.Size} etag={v.Info.ETag}"));
            listed.AddRange(page.CommonPrefixes.Select(p => $"prefix {p}"));
            listed.Add($"page truncated={page.IsTruncated} next={page.NextKeyMarker}/{page.NextVersionIdMarker}");
            if (!page.IsTruncated) return listed;
            (keyMarker, versionIdMarker) = (page.NextKeyMarker, page.NextVersionIdMarker);
        }
        throw new InvalidOperationException("The listing did not end.");
    }

    /// <summary>Every listing this test compares: page sizes 1 to all, with and without prefixes and delimiters.</summary>
    private static async Task<List<string>> EveryListingAsync(FileSystemObjectStore store)
    {
        var all = new List<string>();
        foreach (var (prefix, delimiter) in new[] { ("", (string?)null), ("", "/"), ("c/", "/"), ("c/", null), ("a", "-"), ("a/", "/"), ("q", null) })
        foreach (var maxKeys in new[] { 1, 2, 3, 1000 })
        {
            all.Add($"== prefix {prefix} delimiter {delimiter} max {maxKeys}");
            all.AddRange(await ListAllAsync(store, prefix, delimiter, maxKeys));
        }
        return all;
    }

    private async Task<List<string>> WalkedAsync()
    {
        using var walker = Walker();
        return await EveryListingAsync(walker);
    }

    [Fact]
    public async Task Every_page_over_the_index_is_what_a_walk_of_the_files_lists()
    {
        List<string> indexed;
        using (var store = Owner())
        {
            await FillAsync(store);
            indexed = await EveryListingAsync(store);
            Assert.Equal(["a-b", "a/b", "c/marker-only", "é"], VersionedRows()); // not c/gone nor c/d/e: their folders went with their last noncurrent versions
        }
        Assert.Contains(indexed, l => l.StartsWith("a-b ", StringComparison.Ordinal) && l.Contains("latest=True marker=True", StringComparison.Ordinal));
        Assert.Contains("prefix c/", indexed);
        Assert.DoesNotContain(indexed, l => l.StartsWith("c/gone", StringComparison.Ordinal));
        Assert.Equal(await WalkedAsync(), indexed);
    }

    [Fact]
    public async Task A_missing_index_is_rebuilt_with_the_keys_that_have_versions_and_the_first_listings_settle_their_rows()
    {
        List<string> settledByListings;
        using (var store = Owner())
        {
            await FillAsync(store);
            await EveryListingAsync(store);
            settledByListings = VersionRecords();
        }
        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(IndexFile)!)) File.Delete(file);
        List<string> indexed;
        using (var store = Owner())
        {
            Assert.Empty(SettledKeyRows()); // a rebuild leaves every keys row for a listing to settle
            // It reads each versions folder whole, and keeps its records as a listing settles them.
            Assert.Equal(["a-b", "a/b", "c/marker-only", "é"], SettledRows());
            Assert.Equal(settledByListings, VersionRecords());
            indexed = await EveryListingAsync(store);
            Assert.Equal(["a-b", "a/b", "c/marker-only", "é"], VersionedRows());
            // The keys with a body (a-b's current version is a delete marker: no keys row), so the next pages read the index alone.
            Assert.Equal(["a", "a/b", "c/d/e", "z", "é"], SettledKeyRows());
            Assert.Equal(indexed, await EveryListingAsync(store));
        }
        Assert.Equal(await WalkedAsync(), indexed);
    }

    [Fact]
    public async Task A_row_naming_a_key_with_no_versions_lists_nothing_stands_for_no_prefix_and_is_dropped()
    {
        using (var store = Owner()) await FillAsync(store);
        var expected = await WalkedAsync();
        // What a kill right after a versions folder's removal, or right before its making, leaves.
        foreach (var key in new[] { "c/gone", "q/left", "b" })
            Database.Run("INSERT INTO versioned (bucket, key) VALUES ($b, $k)", ("$b", Bucket), ("$k", System.Text.Encoding.UTF8.GetBytes(key)));
        using var owner = Owner();
        Assert.Equal(expected, await EveryListingAsync(owner));
        Assert.Equal(["a-b", "a/b", "c/marker-only", "é"], VersionedRows());
    }

    [Fact]
    public async Task A_new_version_of_a_key_the_rows_do_not_name_yet_is_listed_and_a_removed_last_version_drops_the_row()
    {
        using var store = Owner();
        await FillAsync(store);
        await PutAsync(store, "z", "2"); // z's first noncurrent version: its folder made, its row added first
        Assert.Contains("z", VersionedRows());
        var page = await store.ListObjectVersionsAsync(Bucket, new VersionsRequest("z"), None);
        Assert.Equal([true, false], page.Versions.Select(v => v.IsLatest));
        await store.DeleteObjectVersionAsync(Bucket, "z", page.Versions[1].VersionId, None);
        Assert.DoesNotContain("z", VersionedRows());
        Assert.Single((await store.ListObjectVersionsAsync(Bucket, new VersionsRequest("z"), None)).Versions);
    }

    [Fact]
    public async Task Each_key_s_versions_are_read_from_its_rows_once_settled_and_every_change_of_its_folder_unsettles_them_first()
    {
        using var store = Owner();
        await FillAsync(store);
        await EveryListingAsync(store);
        Assert.Equal(["a-b", "a/b", "c/marker-only", "é"], SettledRows()); // the listing settled every row it met

        // A page reads the row, not the folder: a record removed behind the store's back is still
        // listed (as a body removed by hand from a bucket the index covers is, docs/stores.md).
        var older = (await store.ListObjectVersionsAsync(Bucket, new VersionsRequest("a/b"), None)).Versions[1];
        var records = Directory.GetFiles(Path.Join(_dir, ".s3overlay", "versions", Bucket), "*.json", SearchOption.AllDirectories);
        var hidden = records.Single(r => Path.GetFileName(r) == older.VersionId + ".json");
        var moved = hidden + ".hidden";
        File.Move(hidden, moved);
        Assert.Equal(2, (await store.ListObjectVersionsAsync(Bucket, new VersionsRequest("a/b"), None)).Versions.Count);
        File.Move(moved, hidden);
        // Its current version too, from the keys row: its body moved away, it is still listed, the
        // latest of three (read from the files, the two older versions would be listed alone).
        var body = Path.Join(_dir, Bucket, "é");
        File.Move(body, body + ".hidden");
        var listed = (await store.ListObjectVersionsAsync(Bucket, new VersionsRequest("é"), None)).Versions;
        Assert.Equal([(true, 3L), (false, 2L), (false, 1L)], listed.Select(v => (v.IsLatest, v.Info.Size)));
        File.Move(body + ".hidden", body);

        // Each way a folder changes (a version kept, a delete marker, a version removed, another
        // made current again, a noncurrent version's tags) leaves its row unsettled until a listing
        // reads the folder again; every listing then is what a walk of the files lists.
        var changes = new (string Key, Func<Task> Change)[]
        {
            ("a/b", () => PutAsync(store, "a/b", "333")),
            ("é", () => store.DeleteObjectVersionAsync(Bucket, "é", null, None)),
            ("a/b", () => store.DeleteObjectVersionAsync(Bucket, "a/b", older.VersionId, None)),
            ("é", async () =>
            {
                var marker = (await store.ListObjectVersionsAsync(Bucket, new VersionsRequest("é"), None)).Versions[0];
                Assert.True(marker.IsDeleteMarker);
                await store.DeleteObjectVersionAsync(Bucket, "é", marker.VersionId, None);
            }),
            ("a-b", async () =>
            {
                var version = (await store.ListObjectVersionsAsync(Bucket, new VersionsRequest("a-b"), None)).Versions[1];
                await store.PutObjectVersionTaggingAsync(Bucket, "a-b", version.VersionId, new Dictionary<string, string> { ["t"] = "1" }, None);
            }),
        };
        foreach (var (key, change) in changes)
        {
            await change();
            Assert.DoesNotContain(key, SettledRows());
            Assert.Equal(await WalkedAsync(), await EveryListingAsync(store));
            Assert.Contains(key, SettledRows());
        }
    }

    private List<string> VersionedRows() => Database.Keys("versioned", Bucket);

    /// <summary>The rows of keys with versions whose records are settled.</summary>
    private List<string> SettledRows() => Settled("SELECT key FROM versioned WHERE bucket = $b AND records IS NOT NULL ORDER BY key");

    /// <summary>Each settled row of a key with versions: its key, a line break, its records.</summary>
    private List<string> VersionRecords() => Settled("SELECT CAST(key || x'0a' || records AS BLOB) FROM versioned WHERE bucket = $b AND records IS NOT NULL ORDER BY key");

    /// <summary>The rows of keys with a body whose description is settled.</summary>
    private List<string> SettledKeyRows() => Settled("SELECT key FROM keys WHERE bucket = $b AND info IS NOT NULL ORDER BY key");

    private List<string> Settled(string query)
    {
        using var db = Database.Connect();
        using var command = db.CreateCommand();
        command.CommandText = query;
        command.Parameters.AddWithValue("$b", Bucket);
        using var rows = command.ExecuteReader();
        var keys = new List<string>();
        while (rows.Read()) keys.Add(System.Text.Encoding.UTF8.GetString((byte[])rows[0]));
        return keys;
    }
}
