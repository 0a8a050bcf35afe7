using System.Security.Cryptography;
using System.Text.Json.Nodes;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;
using S3Overlay.Storage.FileSystem;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Tests.Storage;

/// <summary>
/// Writes asking for <see cref="Durability.Unflushed"/> (the overlay's fills) are committed
/// without waiting for the disk. A power cut is simulated as the next boot (another boot id)
/// finding the body torn: it must never be served, and a whole one must be served as any object is.
/// </summary>
[UnitTests]
public sealed class UnflushedWriteTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly DirectoryInfo _dataDir = Directory.CreateTempSubdirectory("s3overlay-unflushed-");
    private readonly byte[] _body = RandomNumberGenerator.GetBytes(300_000);

    public void Dispose() => _dataDir.Delete(recursive: true);

    private FileSystemObjectStore Boot(string? bootId) =>
        new(_dataDir.FullName, TimeProvider.System, new FileSystemStoreOptions { BootId = bootId });

    private async Task<FileSystemObjectStore> WriteInFirstBootAsync(bool durable, string? etag = null)
    {
        var store = Boot("boot-1");
        if (await store.GetBucketAsync("b", None) is null) await store.CreateBucketAsync("b", None);
        await store.PutObjectAsync("b", "k", new MemoryStream(_body), new ObjectWrite { ContentLength = _body.Length, ETag = etag, Durability = durable ? Durability.Flushed : Durability.Unflushed }, None);
        return store;
    }

    private string BodyPath => Path.Join(_dataDir.FullName, "b", "k");

    private JsonNode Sidecar() =>
        JsonNode.Parse(File.ReadAllText(Directory.EnumerateFiles(Path.Join(_dataDir.FullName, StoreLayout.ReservedName, "meta", "b"), "*.json", SearchOption.AllDirectories).Single()))!;

    private async Task<byte[]> ReadAsync(IObjectStore store)
    {
        await using var content = await store.GetObjectAsync("b", "k", ObjectReadRequest.Whole, None);
        var copy = new MemoryStream();
        await content.Body.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>Zeroes the body's bytes in place, keeping its size, inode and modification time: what a power cut leaves of unwritten blocks.</summary>
    private void ZeroInPlace()
    {
        var mtime = File.GetLastWriteTimeUtc(BodyPath);
        using (var file = new FileStream(BodyPath, FileMode.Open, FileAccess.Write))
            file.Write(new byte[_body.Length]);
        File.SetLastWriteTimeUtc(BodyPath, mtime);
    }

    [Fact]
    public async Task An_unflushed_body_is_marked_with_its_boot_and_md5_and_a_durable_one_is_not()
    {
        await WriteInFirstBootAsync(durable: false);
        Assert.Equal("boot-1", (string?)Sidecar()["unflushed"]?["bootId"]);
        Assert.Equal(Convert.ToHexStringLower(MD5.HashData(_body)), (string?)Sidecar()["unflushed"]?["md5"]);

        await WriteInFirstBootAsync(durable: true);
        Assert.Null(Sidecar()["unflushed"]);
    }

    [Fact]
    public async Task In_the_same_boot_an_unflushed_body_is_served_as_it_is()
    {
        var store = await WriteInFirstBootAsync(durable: false);
        Assert.Equal(_body, await ReadAsync(store));
        Assert.Equal("boot-1", (string?)Sidecar()["unflushed"]?["bootId"]); // not checked, so not rewritten
    }

    [Fact]
    public async Task In_a_later_boot_a_whole_unflushed_body_is_checked_once_served_and_no_longer_marked()
    {
        await WriteInFirstBootAsync(durable: false);
        var next = Boot("boot-2");
        Assert.Equal(_body, await ReadAsync(next));
        Assert.Null(Sidecar()["unflushed"]);
        Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(_body))}\"", (await Boot("boot-3").HeadObjectAsync("b", "k", ReadConditions.None, None)).ETag);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("\"0123456789abcdef0123456789abcdef-3\"")] // a multipart ETag: the MD5 is the store's own
    public async Task In_a_later_boot_an_unflushed_body_torn_in_place_is_removed_never_served(string? etag)
    {
        await WriteInFirstBootAsync(durable: false, etag);
        ZeroInPlace();

        var next = Boot("boot-2");
        var missing = await Assert.ThrowsAsync<StorageException>(() => ReadAsync(next));
        Assert.Equal(S3Error.NoSuchKey.Code, missing.Error.Code);
        Assert.False(File.Exists(BodyPath));
        Assert.Empty((await next.ListObjectsAsync("b", new ListRequest(), None)).Objects);
    }

    [Fact]
    public async Task In_a_later_boot_an_unflushed_body_cut_short_is_removed_not_described_as_a_file_put_by_hand()
    {
        await WriteInFirstBootAsync(durable: false);
        using (var file = new FileStream(BodyPath, FileMode.Open, FileAccess.Write)) file.SetLength(4096);

        var missing = await Assert.ThrowsAsync<StorageException>(() => Boot("boot-2").HeadObjectAsync("b", "k", ReadConditions.None, None));
        Assert.Equal(S3Error.NoSuchKey.Code, missing.Error.Code);
        Assert.False(File.Exists(BodyPath));
    }

    [Fact]
    public async Task A_durable_body_is_not_checked_in_a_later_boot()
    {
        await WriteInFirstBootAsync(durable: true);
        ZeroInPlace();
        // Flushed before it was answered: a later boot trusts it, as every store trusts its disk.
        Assert.Equal(new byte[_body.Length], await ReadAsync(Boot("boot-2")));
    }

    [Fact]
    public async Task Where_no_boot_can_be_told_from_the_next_every_write_is_flushed()
    {
        var store = Boot(null);
        await store.CreateBucketAsync("b", None);
        await store.PutObjectAsync("b", "k", new MemoryStream(_body), new ObjectWrite { ContentLength = _body.Length, Durability = Durability.Unflushed }, None);
        Assert.Null(Sidecar()["unflushed"]);
    }
}
