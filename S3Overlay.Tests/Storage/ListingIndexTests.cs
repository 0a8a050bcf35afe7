using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using S3Overlay.Storage;
using S3Overlay.Storage.FileSystem;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Storage;

/// <summary>
/// The embedded store's listing index (docs/stores.md): a page is described from the index's rows,
/// opening no file; every change of a key (a write, an overwrite, a tag change, a delete) leaves its
/// row saying what the files say; a row left unsettled (what a kill in the middle of a change leaves)
/// is read from the files, which are the truth, and settled, so a key whose file is gone is not listed
/// (nor is a prefix only such keys stand for); an index
/// that is missing, unreadable, or left open by a boot that ended is rebuilt from the files at start,
/// saying so in the log; a bucket the store did not create is walked. The listing contract
/// itself runs over the index in <see cref="IndexedFileSystemStoreContractTests"/>; SIGKILLs in
/// <c>ListingIndexCrashTests</c>.
/// </summary>
[UnitTests]
public sealed class ListingIndexTests : IDisposable
{
    private const string Bucket = "indexed";
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly string _dir = Directory.CreateTempSubdirectory("s3overlay-index-").FullName;
    private readonly RecordingLog _log = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private IndexDatabase Database => new(_dir);

    private string IndexFile => Database.File;

    private FileSystemObjectStore Open(string boot = "boot-1") =>
        new(_dir, TimeProvider.System, new FileSystemStoreOptions { Exclusive = true, BootId = boot }, _log);

    private static Task PutAsync(FileSystemObjectStore store, string key, string bucket = Bucket) =>
        store.PutObjectAsync(bucket, key, new MemoryStream("x"u8.ToArray()), new ObjectWrite { ContentLength = 1 }, None);

    private static async Task<List<string>> ListAsync(FileSystemObjectStore store, string prefix = "", string? delimiter = null, string bucket = Bucket, int maxKeys = 1000)
    {
        var entries = new List<string>();
        string? after = null;
        while (true)
        {
            var page = await store.ListObjectsAsync(bucket, new ListRequest(prefix, delimiter, after, maxKeys), None);
            entries.AddRange(page.Objects.Select(o => o.Key).Concat(page.CommonPrefixes).Order(Utf8Order.Instance));
            if (!page.IsTruncated) return entries;
            after = page.NextStartAfter;
        }
    }

    private static readonly string[] Keys = ["a", "a/b", "a-b", "b//c", "c/d/e", "c/f", "é", "z/"];

    private async Task<FileSystemObjectStore> FilledAsync()
    {
        var store = Open();
        await store.CreateBucketAsync(Bucket, None);
        foreach (var key in Keys) await PutAsync(store, key);
        return store;
    }

    [Fact]
    public async Task A_bucket_the_store_created_is_listed_from_the_index_in_S3_order_with_every_kind_of_key()
    {
        using var store = await FilledAsync();
        Assert.True(File.Exists(IndexFile));
        Assert.Equal(Keys.Order(Utf8Order.Instance), await ListAsync(store));
        Assert.Equal(Keys.Order(Utf8Order.Instance), await ListAsync(store, maxKeys: 1));
        Assert.Equal(["a", "a-b", "a/", "b/", "c/", "z/", "é"], await ListAsync(store, delimiter: "/"));
        Assert.Equal(["a", "a-b", "a/", "b/", "c/", "z/", "é"], await ListAsync(store, delimiter: "/", maxKeys: 1));
        Assert.Equal(["c/d/", "c/f"], await ListAsync(store, "c/", "/"));
        // Any delimiter, not only "/": one seek past each common prefix.
        Assert.Equal(["a", "a-", "a/b", "b//c", "c/d/e", "c/f", "z/", "é"], await ListAsync(store, delimiter: "-"));
        Assert.Equal(["b//", "c/d/e", "c/f"], await ListAsync(store, "b/", "/") is var b ? b.Concat(await ListAsync(store, "c/")).ToList() : []);
    }

    [Fact]
    public async Task A_page_is_described_from_the_rows_without_reading_any_sidecar()
    {
        using var store = Open();
        await store.CreateBucketAsync(Bucket, None);
        var body = "three"u8.ToArray();
        var rare = new ObjectMetadata { StorageClass = "REDUCED_REDUNDANCY", UserMetadata = new Dictionary<string, string> { ["who"] = "me" } };
        foreach (var key in Keys)
            await store.PutObjectAsync(Bucket, key, new MemoryStream(body), new ObjectWrite { ContentLength = body.Length, Metadata = rare }, None);
        // Without their sidecars a listing that read them would describe the files from their bytes: no storage class, no metadata.
        foreach (var sidecar in Directory.GetFiles(Path.Join(_dir, ".s3overlay", "meta", Bucket), "*.json", SearchOption.AllDirectories)) File.Delete(sidecar);
        var listed = (await store.ListObjectsAsync(Bucket, new ListRequest(), None)).Objects;
        Assert.Equal(Keys.Order(Utf8Order.Instance), listed.Select(o => o.Key));
        Assert.All(listed, o =>
        {
            Assert.Equal(body.Length, o.Size);
            Assert.Equal("\"" + Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(body)) + "\"", o.ETag);
            Assert.Equal("REDUCED_REDUNDANCY", o.Metadata.StorageClass);
            Assert.Equal("me", o.Metadata.UserMetadata["who"]);
        });
    }

    [Fact]
    public async Task An_overwrite_a_tag_change_and_a_delete_each_leave_the_row_saying_what_the_files_say()
    {
        using var store = await FilledAsync();
        var longer = "longer"u8.ToArray();
        var written = await store.PutObjectAsync(Bucket, "c/f", new MemoryStream(longer), new ObjectWrite { ContentLength = longer.Length }, None);
        await store.PutObjectTaggingAsync(Bucket, "a", new Dictionary<string, string> { ["t"] = "1" }, None);
        await store.DeleteObjectAsync(Bucket, "a/b", None);
        var listed = (await store.ListObjectsAsync(Bucket, new ListRequest(), None)).Objects.ToDictionary(o => o.Key);
        Assert.Equal((longer.Length, written.ETag), (listed["c/f"].Size, listed["c/f"].ETag));
        Assert.Equal(written.LastModified, listed["c/f"].LastModified);
        Assert.Equal("1", listed["a"].Metadata.Tags["t"]);
        Assert.DoesNotContain("a/b", listed.Keys);
        Assert.DoesNotContain("a/b", IndexedKeys());
        Assert.Equal(0, UnsettledRows());
        foreach (var (key, info) in listed)
            Assert.Equal((info.Size, info.ETag), (await store.HeadObjectAsync(Bucket, key, ReadConditions.None, None)) is var head ? (head.Size, head.ETag) : default);
    }

    [Fact]
    public async Task Rows_a_kill_left_unsettled_are_read_from_the_files_and_settled_and_a_key_whose_file_is_gone_is_not_listed_nor_its_prefix()
    {
        using var store = await FilledAsync();
        // A kill after a change marked its rows and before it settled them: one key's file gone, the others rewritten.
        Database.Run("UPDATE keys SET info = NULL");
        File.Delete(Path.Join(_dir, Bucket, "c", "d", "e"));
        File.Delete(Path.Join(_dir, Bucket, "c", "f"));
        Assert.Equal(["a", "a-b", "a/", "b/", "z/", "é"], await ListAsync(store, delimiter: "/"));
        Assert.Equal(Keys.Where(k => !k.StartsWith("c/", StringComparison.Ordinal)).Order(Utf8Order.Instance), await ListAsync(store));
        Assert.Equal(0, IndexedKeys().Count(k => k.StartsWith("c/", StringComparison.Ordinal))); // removed as it was met
        Assert.Equal(0, UnsettledRows()); // settled as they were met: the next page opens no file
    }

    /// <summary>
    /// A page settles the rows it met unsettled once it is read, in one commit: a key rewritten
    /// after the page read its files keeps the row its write settled, never the page's older one.
    /// Rows are unsettled over and over (what a rebuild or a kill leaves) while the keys are
    /// rewritten, retagged and listed, their objects and their versions; once the writes stop, every key is
    /// listed as its files say, from its row.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_row_a_page_read_before_a_write_is_not_settled_over_the_write(bool versions)
    {
        using var store = Open();
        await store.CreateBucketAsync(Bucket, None);
        if (versions) await store.PutBucketVersioningAsync(Bucket, S3Overlay.Storage.Versions.BucketVersioning.Enabled, None);
        string[] keys = [.. Enumerable.Range(0, 8).Select(i => $"k{i}")];
        foreach (var key in keys) await PutAsync(store, key);

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var writes = keys.Select(key => Task.Run(async () =>
        {
            for (var n = 2; !stop.IsCancellationRequested; n = n % 64 + 1)
            {
                // A tag change replaces the sidecar alone, the body left as it is.
                if (n % 2 == 0) await store.PutObjectAsync(Bucket, key, new MemoryStream(new byte[n]), new ObjectWrite { ContentLength = n }, None);
                else await store.PutObjectTaggingAsync(Bucket, key, new Dictionary<string, string> { ["n"] = $"{n}" }, None);
            }
        }));
        var unsettle = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                Database.Run("UPDATE keys SET info = NULL");
                await Task.Delay(5);
            }
        });
        var listings = 0;
        var lists = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            for (; !stop.IsCancellationRequested; listings++)
            {
                if (versions) await store.ListObjectVersionsAsync(Bucket, new S3Overlay.Storage.Versions.VersionsRequest(), None);
                else await store.ListObjectsAsync(Bucket, new ListRequest(), None);
            }
        }));
        await Task.WhenAll(writes.Concat(lists).Append(unsettle));
        Assert.True(listings > 10, $"only {listings} listings ran");

        await store.ListObjectsAsync(Bucket, new ListRequest(), None); // the rows still unsettled settled from the files
        Assert.Equal(0, UnsettledRows());
        var listed = (await store.ListObjectsAsync(Bucket, new ListRequest(), None)).Objects; // from the rows alone
        Assert.Equal(keys, listed.Select(o => o.Key));
        foreach (var info in listed)
        {
            var head = await store.HeadObjectAsync(Bucket, info.Key, ReadConditions.None, None);
            Assert.Equal((head.Size, head.ETag, head.VersionId, head.Metadata.Tags.GetValueOrDefault("n")),
                (info.Size, info.ETag, info.VersionId, info.Metadata.Tags.GetValueOrDefault("n")));
        }
    }

    [Fact]
    public async Task Deletes_remove_keys_and_their_prefixes_and_a_recreated_bucket_starts_empty()
    {
        using var store = await FilledAsync();
        await store.DeleteObjectAsync(Bucket, "c/d/e", None);
        await store.DeleteObjectAsync(Bucket, "c/f", None);
        Assert.Equal(["a", "a-b", "a/", "b/", "z/", "é"], await ListAsync(store, delimiter: "/"));
        Assert.DoesNotContain("c/f", IndexedKeys());
        foreach (var key in Keys) await store.DeleteObjectAsync(Bucket, key, None);
        await store.DeleteBucketAsync(Bucket, None);
        await store.CreateBucketAsync(Bucket, None);
        Assert.Empty(await ListAsync(store));
        await PutAsync(store, "new");
        Assert.Equal(["new"], await ListAsync(store));
    }

    [Fact]
    public async Task A_missing_index_is_rebuilt_from_the_files_at_start_saying_so()
    {
        (await FilledAsync()).Dispose();
        DeleteIndex();
        using var store = Open();
        Assert.Equal(Keys.Order(Utf8Order.Instance), await ListAsync(store));
        Assert.Contains(_log.Lines, l => l.Contains("there was none", StringComparison.Ordinal));
        Assert.Contains(_log.Lines, l => l.Contains($"bucket {Bucket} rebuilt from its files, {Keys.Length} keys", StringComparison.Ordinal));
        Assert.Equal(Keys.Length, IndexedKeys().Count);
        Assert.Equal(0, UnsettledRows()); // the first listing described each key from its files, once
    }

    /// <summary>
    /// A store that does not own the folder (a tool's, a test's, opened while no server runs)
    /// keeps no index: what it changes in a bucket the index covers makes the owner's next start
    /// read that bucket again from the files, not list what its rows last knew.
    /// </summary>
    [Fact]
    public async Task Changes_another_process_made_while_no_server_held_the_folder_are_read_from_the_files_at_the_next_start()
    {
        (await FilledAsync()).Dispose();
        using (var other = new FileSystemObjectStore(_dir, TimeProvider.System, new FileSystemStoreOptions { BootId = "boot-1" }, _log))
        {
            await other.DeleteObjectAsync(Bucket, "c/f", None);
            await PutAsync(other, "new");
        }
        using var store = Open();
        Assert.Contains(_log.Lines, l => l.Contains("another process changed files", StringComparison.Ordinal));
        Assert.Equal(Keys.Where(k => k != "c/f").Append("new").Order(Utf8Order.Instance), await ListAsync(store));
    }

    [Fact]
    public async Task A_damaged_index_is_rebuilt_from_the_files_at_start()
    {
        (await FilledAsync()).Dispose();
        SqliteConnection.ClearAllPools();
        File.WriteAllBytes(IndexFile, [.. Enumerable.Repeat((byte)0x5A, 8192)]);
        using var store = Open();
        Assert.Equal(Keys.Order(Utf8Order.Instance), await ListAsync(store));
        Assert.Contains(_log.Lines, l => l.Contains("could not be read", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_index_a_previous_boot_left_open_is_rebuilt_and_one_this_boot_left_open_is_trusted()
    {
        // What a power cut can do: the index's last commits lost (they are not flushed one by one),
        // the bodies kept (they are), the index never closed.
        (await FilledAsync()).Dispose();
        LoseFromIndex("c/f");
        using (var sameBoot = Open())
        {
            Assert.DoesNotContain(_log.Lines, l => l.Contains("Rebuilding", StringComparison.Ordinal));
            Assert.Equal(Keys.Length - 1, (await ListAsync(sameBoot)).Count); // a kill loses nothing, so a lost commit is not looked for
        }
        LoseFromIndex("c/f");
        using var nextBoot = Open("boot-2");
        Assert.Contains(_log.Lines, l => l.Contains("the machine restarted since it was last open", StringComparison.Ordinal));
        Assert.Equal(Keys.Order(Utf8Order.Instance), await ListAsync(nextBoot));
    }

    [Fact]
    public async Task A_folder_put_into_the_data_folder_by_hand_is_walked_so_files_changed_there_are_listed_as_they_are()
    {
        using var store = await FilledAsync();
        Directory.CreateDirectory(Path.Join(_dir, "by-hand", "sub"));
        File.WriteAllText(Path.Join(_dir, "by-hand", "sub", "one.txt"), "1");
        Assert.Equal(["sub/one.txt"], await ListAsync(store, bucket: "by-hand"));
        File.WriteAllText(Path.Join(_dir, "by-hand", "two.txt"), "2");
        Assert.Equal(["sub/one.txt", "two.txt"], await ListAsync(store, bucket: "by-hand"));
        await PutAsync(store, "three.txt", "by-hand");
        File.Delete(Path.Join(_dir, "by-hand", "two.txt"));
        Assert.Equal(["sub/one.txt", "three.txt"], await ListAsync(store, bucket: "by-hand"));
        Assert.DoesNotContain(IndexedKeys("by-hand"), k => k.Length > 0);
    }

    private void DeleteIndex()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(IndexFile)!)) File.Delete(file);
    }

    /// <summary>Removes a key from the index and marks it open, as a power cut before its commit reached the disk would leave it.</summary>
    private void LoseFromIndex(string key)
    {
        Database.Run("DELETE FROM keys WHERE bucket = $b AND key = $k", ("$b", Bucket), ("$k", System.Text.Encoding.UTF8.GetBytes(key)));
        Database.Run("UPDATE meta SET value = 'false' WHERE name = 'closed'");
    }

    private List<string> IndexedKeys(string bucket = Bucket) => Database.Keys("keys", bucket);

    private long UnsettledRows()
    {
        using var db = Database.Connect();
        using var command = db.CreateCommand();
        command.CommandText = "SELECT count(*) FROM keys WHERE info IS NULL";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>What the store logs, as lines.</summary>
    private sealed class RecordingLog : ILogger
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IReadOnlyCollection<string> Lines => _lines;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _lines.Enqueue(formatter(state, exception));
    }
}
