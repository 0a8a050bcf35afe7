using Microsoft.Data.Sqlite;
using S3Overlay.Storage;
using S3Overlay.Storage.FileSystem;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Storage;

/// <summary>
/// ListMultipartUploads over the listing index (docs/stores.md): the uploads in progress are rows
/// in S3's order (key, then when each began, then id), added before an upload's folder is made and
/// removed after it is gone (completed, aborted). Every page (each page size, with and without a
/// prefix and a delimiter, resuming by key and upload-id markers) is what the walk of the uploads'
/// records lists (the same folder listed by a store that keeps no index); the rows are rebuilt from
/// the folders; a row whose folder is gone lists nothing and is dropped.
/// </summary>
[UnitTests]
public sealed class UploadListingIndexTests : IDisposable
{
    private const string Bucket = "uploads";
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly string _dir = Directory.CreateTempSubdirectory("s3overlay-upload-index-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private IndexDatabase Database => new(_dir);

    private FileSystemObjectStore Owner() => new(_dir, TimeProvider.System, new FileSystemStoreOptions { Exclusive = true, BootId = "boot-1" });

    /// <summary>Several uploads of one key, keys in folders and beside them, one completed and one aborted.</summary>
    private static async Task FillAsync(FileSystemObjectStore store)
    {
        await store.CreateBucketAsync(Bucket, None);
        foreach (var key in new[] { "a", "a/b", "a-b", "a/b", "c/d/e", "c/f", "é", "a", "z/" })
            await store.CreateMultipartUploadAsync(Bucket, key, new ObjectWrite(), None);
        var completed = await store.CreateMultipartUploadAsync(Bucket, "done", new ObjectWrite(), None);
        var part = await store.UploadPartAsync(Bucket, "done", completed, 1, new MemoryStream("x"u8.ToArray()), new ObjectWrite { ContentLength = 1 }, None);
        await store.CompleteMultipartUploadAsync(Bucket, "done", completed, [new CompletedPart(1, part.ETag)], null, WriteCondition.None, None);
        await store.AbortMultipartUploadAsync(Bucket, "c/f", (await store.ListMultipartUploadsAsync(Bucket, new UploadsRequest("c/f"), None)).Uploads[0].UploadId, None);
    }

    private static async Task<List<string>> EveryListingAsync(FileSystemObjectStore store)
    {
        var all = new List<string>();
        foreach (var (prefix, delimiter) in new[] { ("", (string?)null), ("", "/"), ("c/", "/"), ("a", null), ("a", "-"), ("q", null) })
        foreach (var maxUploads in new[] { 1, 2, 3, 1000 })
        {
            all.Add($"== prefix {prefix} delimiter {delimiter} max {maxUploads}");
            string? keyMarker = null, uploadIdMarker = null;
            for (var pages = 0; ; pages++)
            {
                Assert.True(pages < 100, "the listing did not end");
                var page = await store.ListMultipartUploadsAsync(Bucket, new UploadsRequest(prefix, delimiter, keyMarker, uploadIdMarker, maxUploads), None);
                all.AddRange(page.Uploads.Select(u => $"{u.Key} {u.UploadId} {u.Initiated.UtcTicks}"));
                all.AddRange(page.CommonPrefixes.Select(p => $"prefix {p}"));
                all.Add($"page truncated={page.IsTruncated} next={page.NextKeyMarker}/{page.NextUploadIdMarker}");
                if (!page.IsTruncated) break;
                (keyMarker, uploadIdMarker) = (page.NextKeyMarker, page.NextUploadIdMarker);
            }
        }
        return all;
    }

    private async Task<List<string>> WalkedAsync()
    {
        using var walker = new FileSystemObjectStore(_dir, TimeProvider.System, new FileSystemStoreOptions { BootId = "boot-1" });
        return await EveryListingAsync(walker);
    }

    [Fact]
    public async Task Every_page_over_the_index_is_what_the_walk_of_the_uploads_lists()
    {
        List<string> indexed;
        using (var store = Owner())
        {
            await FillAsync(store);
            indexed = await EveryListingAsync(store);
            Assert.Equal(["a", "a", "a-b", "a/b", "a/b", "c/d/e", "z/", "é"], Database.Keys("uploads", Bucket)); // not done nor c/f: gone
        }
        Assert.Contains("prefix c/", indexed);
        Assert.Equal(await WalkedAsync(), indexed);
    }

    [Fact]
    public async Task A_missing_index_is_rebuilt_with_the_uploads_in_progress()
    {
        using (var store = Owner()) await FillAsync(store);
        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(Database.File)!)) File.Delete(file);
        List<string> indexed;
        using (var store = Owner())
        {
            indexed = await EveryListingAsync(store);
            Assert.Equal(8, Database.Keys("uploads", Bucket).Count);
        }
        Assert.Equal(await WalkedAsync(), indexed);
    }

    [Fact]
    public async Task A_row_whose_upload_folder_is_gone_lists_nothing_and_is_dropped()
    {
        using (var store = Owner()) await FillAsync(store);
        var expected = await WalkedAsync();
        // What a kill between an upload's removal and its row's leaves.
        Database.Run("INSERT INTO uploads (bucket, key, initiated, id) VALUES ($b, $k, 1, $id)",
            ("$b", Bucket), ("$k", System.Text.Encoding.UTF8.GetBytes("c/gone")), ("$id", new string('0', 32)));
        using var owner = Owner();
        Assert.Equal(expected, await EveryListingAsync(owner));
        Assert.DoesNotContain("c/gone", Database.Keys("uploads", Bucket));
    }
}
