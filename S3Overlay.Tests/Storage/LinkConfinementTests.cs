using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Cli.Serve;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Storage;

/// <summary>
/// A folder served as a bucket (as <c>s3overlay serve FOLDER</c> does) holding links: none that
/// leads out of the folder is read, listed, written or deleted through, over HTTP with AWSSDK.S3;
/// links that stay inside are followed for reads. The folder beside it stands for <c>/etc</c>.
/// </summary>
[FunctionalTests]
public sealed class LinkConfinementTests(LinkConfinementTests.ServedFolder served) : IClassFixture<LinkConfinementTests.ServedFolder>
{
    private const string Bucket = "sfold";

    /// <summary>One proxy serving a folder with links in it, and the folder they lead to.</summary>
    public sealed class ServedFolder : IAsyncLifetime
    {
        public string Root { get; } = Directory.CreateTempSubdirectory("s3overlay-links-").FullName;
        public string Outside => Path.Join(Root, "outside");
        public string Folder => Path.Join(Root, Bucket);
        public ProxyServer Proxy { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Directory.CreateDirectory(Path.Join(Outside, "dir"));
            File.WriteAllText(Path.Join(Outside, "secret.txt"), "secret");
            File.WriteAllText(Path.Join(Outside, "dir", "inner.txt"), "outside inner");
            Directory.CreateDirectory(Path.Join(Folder, "sub"));
            File.WriteAllText(Path.Join(Folder, "real.txt"), "real");
            File.WriteAllText(Path.Join(Folder, "sub", "inner.txt"), "inner");
            File.CreateSymbolicLink(Path.Join(Folder, "alias.txt"), "real.txt");
            Directory.CreateSymbolicLink(Path.Join(Folder, "aliasdir"), "sub");
            Directory.CreateSymbolicLink(Path.Join(Folder, "loop"), ".");
            Directory.CreateSymbolicLink(Path.Join(Folder, "up"), "..");
            var dataDir = FolderBucket.Prepare(Folder, Bucket, Path.Join(Root, "data"));
            Proxy = await ProxyServer.StartAsync(dataDir: dataDir);
        }

        public async ValueTask DisposeAsync()
        {
            await Proxy.DisposeAsync();
            Directory.Delete(Root, recursive: true);
        }
    }

    public enum LinkTo { File, Folder, Nothing }

    [Theory]
    [InlineData(LinkTo.File)]
    [InlineData(LinkTo.Folder)]
    [InlineData(LinkTo.Nothing)]
    public async Task A_link_out_of_the_folder_is_never_read_listed_written_or_deleted_through(LinkTo target)
    {
        // The key that would reach outside: the link itself, or a file below a linked folder.
        var link = "out-" + target.ToString().ToLowerInvariant();
        var (linkTarget, key, reached) = target switch
        {
            LinkTo.File => (Path.Join(served.Outside, "secret.txt"), link, Path.Join(served.Outside, "secret.txt")),
            LinkTo.Folder => (Path.Join(served.Outside, "dir"), link + "/inner.txt", Path.Join(served.Outside, "dir", "inner.txt")),
            _ => (Path.Join(served.Outside, "not-yet.txt"), link, Path.Join(served.Outside, "not-yet.txt")),
        };
        if (target == LinkTo.Folder) Directory.CreateSymbolicLink(Path.Join(served.Folder, link), linkTarget);
        else File.CreateSymbolicLink(Path.Join(served.Folder, link), linkTarget);
        var outside = Snapshot(served.Outside);
        using var s3 = served.Proxy.CreateClient(defaults: false);

        // Reads: GET, HEAD, a copy from it and the listings see nothing there.
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectAsync(Bucket, key))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectMetadataAsync(Bucket, key))).StatusCode);
        Assert.Equal("NoSuchKey", (await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.CopyObjectAsync(Bucket, key, Bucket, link + "-copy"))).ErrorCode);
        Assert.DoesNotContain(await ListAsync(s3, delimiter: null), k => k.StartsWith(link, StringComparison.Ordinal));
        Assert.DoesNotContain(await ListAsync(s3, delimiter: "/"), k => k.StartsWith(link, StringComparison.Ordinal));

        // A delete succeeds (there is nothing to delete) and removes nothing outside.
        await s3.DeleteObjectAsync(Bucket, key);
        Assert.Equal(outside, Snapshot(served.Outside));

        // Writes: PUT, multipart completion and copy each store the key, in the store's own area.
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = "put" });
        Assert.Equal("put", await ReadAsync(s3, key));
        await CompleteMultipartAsync(s3, key, "multipart");
        Assert.Equal("multipart", await ReadAsync(s3, key));
        await s3.CopyObjectAsync(Bucket, "real.txt", Bucket, key);
        Assert.Equal("real", await ReadAsync(s3, key));
        Assert.Contains(key, await ListAsync(s3, delimiter: null));
        Assert.Equal(outside, Snapshot(served.Outside));
        Assert.False(File.Exists(reached) && File.ReadAllText(reached) is "put" or "multipart" or "real");

        await s3.DeleteObjectAsync(Bucket, key);
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectAsync(Bucket, key))).StatusCode);
        Assert.Equal(outside, Snapshot(served.Outside));
        Assert.Equal(linkTarget, new FileInfo(Path.Join(served.Folder, link)).LinkTarget); // the operator's link is left alone
    }

    [Fact]
    public async Task Links_that_stay_inside_are_followed_for_reads_and_a_delete_removes_the_link_not_its_target()
    {
        using var s3 = served.Proxy.CreateClient(defaults: false);
        Assert.Equal("real", await ReadAsync(s3, "alias.txt"));
        Assert.Equal("inner", await ReadAsync(s3, "aliasdir/inner.txt"));
        Assert.Equal(4, (await s3.GetObjectMetadataAsync(Bucket, "alias.txt")).ContentLength);

        // A link back up to the folder itself is not walked again (the walk ends); one up and out is not walked at all.
        var keys = await ListAsync(s3, delimiter: null);
        Assert.Contains("alias.txt", keys);
        Assert.Contains("aliasdir/inner.txt", keys);
        Assert.DoesNotContain(keys, k => k.StartsWith("up/", StringComparison.Ordinal) || k.StartsWith("loop/", StringComparison.Ordinal));
        Assert.Contains("aliasdir/", await ListAsync(s3, delimiter: "/"));

        File.CreateSymbolicLink(Path.Join(served.Folder, "alias2.txt"), "real.txt");
        await s3.DeleteObjectAsync(Bucket, "alias2.txt");
        Assert.False(new FileInfo(Path.Join(served.Folder, "alias2.txt")).Exists || File.Exists(Path.Join(served.Folder, "alias2.txt")));
        Assert.Equal("real", await File.ReadAllTextAsync(Path.Join(served.Folder, "real.txt")));
    }

    [Fact]
    public async Task With_S3_OVERLAY_FOLLOW_LINKS_OUT_reads_follow_links_out_and_writes_still_do_not()
    {
        var root = Directory.CreateTempSubdirectory("s3overlay-links-out-").FullName;
        try
        {
            var folder = Directory.CreateDirectory(Path.Join(root, "shared")).FullName;
            var outside = Directory.CreateDirectory(Path.Join(root, "elsewhere")).FullName;
            File.WriteAllText(Path.Join(outside, "big.iso"), "iso");
            Directory.CreateSymbolicLink(Path.Join(folder, "media"), outside);
            await using var proxy = await ProxyServer.StartAsync(
                new Dictionary<string, string?> { ["S3_OVERLAY_FOLLOW_LINKS_OUT"] = "true" },
                dataDir: FolderBucket.Prepare(folder, "shared", Path.Join(root, "data")));
            using var s3 = proxy.CreateClient(defaults: false);

            Assert.Equal("iso", await ReadAsync(s3, "media/big.iso", "shared"));
            Assert.Contains("media/big.iso", (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "shared" })).S3Objects.Select(o => o.Key));
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = "shared", Key = "media/new.txt", ContentBody = "new" });
            Assert.False(File.Exists(Path.Join(outside, "new.txt")));
            Assert.Equal("new", await ReadAsync(s3, "media/new.txt", "shared"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<string> ReadAsync(AmazonS3Client s3, string key, string bucket = Bucket)
    {
        using var get = await s3.GetObjectAsync(bucket, key);
        return await new StreamReader(get.ResponseStream).ReadToEndAsync();
    }

    private static async Task<List<string>> ListAsync(AmazonS3Client s3, string? delimiter)
    {
        var page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Delimiter = delimiter });
        return [.. page.S3Objects?.Select(o => o.Key) ?? [], .. page.CommonPrefixes ?? []];
    }

    private static async Task CompleteMultipartAsync(AmazonS3Client s3, string key, string body)
    {
        var upload = await s3.InitiateMultipartUploadAsync(Bucket, key);
        var part = await s3.UploadPartAsync(new UploadPartRequest
        {
            BucketName = Bucket, Key = key, UploadId = upload.UploadId, PartNumber = 1,
            InputStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body)),
        });
        await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket, Key = key, UploadId = upload.UploadId, PartETags = [new PartETag(1, part.ETag)],
        });
    }

    /// <summary>Every file below <paramref name="dir"/> with its content.</summary>
    private static string Snapshot(string dir) =>
        string.Join("\n", Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => Path.GetRelativePath(dir, f) + "=" + File.ReadAllText(f)));
}
