using System.IO.Pipelines;
using System.Net;
using System.Runtime.InteropServices;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Storage;

/// <summary>
/// The embedded store's commits over HTTP: owner-only files, no folders left by a failed upload,
/// no object lost to (or bucket resurrected by) a DeleteBucket racing a PUT, stale temp files swept.
/// </summary>
[FunctionalTests]
public sealed class FileSystemCommitTests
{
    private static readonly byte[] Body = "stored bytes"u8.ToArray();

    [Fact]
    public async Task Stored_files_are_owner_only()
    {
        if (OperatingSystem.IsWindows()) Assert.Skip("Unix file modes");
        await using var proxy = await ProxyServer.StartAsync();
        using var s3 = proxy.CreateClient(defaults: false);
        await s3.PutBucketAsync("bkt");
        await Put(s3, "bkt", "dir/k");

        // The body is written to a temp file and renamed into place: its mode is the temp file's.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Join(proxy.DataDir, "bkt", "dir", "k")));
        foreach (var sidecar in Directory.EnumerateFiles(Path.Join(proxy.DataDir, ".s3overlay", "meta"), "*.json", SearchOption.AllDirectories))
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(sidecar));
    }

    [Fact]
    public async Task A_failed_put_leaves_no_folder_behind()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var s3 = proxy.CreateClient(defaults: false);
        await s3.PutBucketAsync("bkt");

        var bad = await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = "bkt", Key = "a/x", InputStream = new MemoryStream(Body), UseChunkEncoding = false,
            MD5Digest = Convert.ToBase64String(new byte[16]),
        }));
        Assert.Equal("BadDigest", bad.ErrorCode);
        Assert.False(Directory.Exists(Path.Join(proxy.DataDir, "bkt", "a")));

        // So the key "a" can still be stored.
        await Put(s3, "bkt", "a");
        Assert.Equal(Body.Length, (await s3.GetObjectMetadataAsync("bkt", "a")).ContentLength);
    }

    [Fact]
    public async Task A_put_committing_into_a_bucket_deleted_meanwhile_is_NoSuchBucket()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var s3 = proxy.CreateClient(defaults: false);
        await s3.PutBucketAsync("bkt");
        using var http = proxy.CreateHttpClient();
        var tempDir = Path.Join(proxy.DataDir, ".s3overlay", "tmp");

        // The PUT's body arrives in two halves; between them the bucket (still empty) is deleted.
        // (Halves bigger than the client's write buffer, so the first one is on the wire.)
        var bytes = new byte[512 * 1024];
        PatternData.Fill(bytes, 0, seed: 11);
        var body = new Pipe();
        var put = new HttpRequestMessage(HttpMethod.Put, "bkt/dir/k") { Content = new StreamContent(body.Reader.AsStream()) };
        put.Content.Headers.ContentLength = bytes.Length;
        var sending = http.SendAsync(put);
        await body.Writer.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
        // The server is writing the body to a temp file, so it found the bucket.
        await EventuallyAsync(async () =>
        {
            Assert.False(sending.IsCompleted, sending.IsCompleted ? $"the PUT ended early: {(int)(await sending).StatusCode} {await (await sending).Content.ReadAsStringAsync()}" : "");
            return Directory.EnumerateFiles(tempDir).Any();
        }, "the PUT writes its body to a temporary file");
        Assert.Equal(HttpStatusCode.NoContent, (await s3.DeleteBucketAsync("bkt")).HttpStatusCode);
        await body.Writer.WriteAsync(bytes.AsMemory(bytes.Length / 2));
        await body.Writer.CompleteAsync();

        var answer = await sending;
        var text = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.NotFound && text.Contains("<Code>NoSuchBucket</Code>"), $"{(int)answer.StatusCode}: {text}");
        // Deleted stays deleted: the commit did not bring the bucket's folder back.
        Assert.False(Directory.Exists(Path.Join(proxy.DataDir, "bkt")));
        Assert.DoesNotContain((await s3.ListBucketsAsync()).Buckets ?? [], b => b.BucketName == "bkt");
    }

    [Fact]
    public async Task Every_temp_file_is_swept_at_start_up_however_young()
    {
        var dataDir = Directory.CreateTempSubdirectory("s3overlay-").FullName;
        try
        {
            var tempDir = Directory.CreateDirectory(Path.Join(dataDir, ".s3overlay", "tmp")).FullName;
            var old = Path.Join(tempDir, "left-by-a-crash-long-ago");
            var young = Path.Join(tempDir, "left-by-a-crash-a-second-ago");
            File.WriteAllBytes(old, Body);
            File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddHours(-1));
            File.WriteAllBytes(young, Body);

            // The server owns the folder (no other can be writing in it): nothing there is live.
            await using (await ProxyServer.StartAsync(dataDir: dataDir))
                Assert.Empty(Directory.GetFiles(tempDir));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task A_kill_between_a_commits_sidecar_and_its_rename_leaves_the_old_version_with_its_own_metadata()
    {
        if (OperatingSystem.IsWindows()) Assert.Skip("hard links through libc");
        var dataDir = Directory.CreateTempSubdirectory("s3overlay-").FullName;
        try
        {
            var file = Path.Join(dataDir, "bkt", "k");
            var firstVersion = Path.Join(dataDir, "first-version");
            await using (var proxy = await ProxyServer.StartAsync(dataDir: dataDir))
            {
                using var s3 = proxy.CreateClient(defaults: false);
                await s3.PutBucketAsync("bkt");
                await PutVersion(s3, "one");
                // The same file (inode, size, modification time) under a second name, so it can be put back.
                Assert.Equal(0, link(file, firstVersion));
                await PutVersion(s3, "two, longer");
            }
            // What a kill after the second commit's sidecar but before its rename leaves: the first body in place.
            File.Move(firstVersion, file, overwrite: true);

            await using (var restarted = await ProxyServer.StartAsync(dataDir: dataDir))
            {
                using var s3 = restarted.CreateClient(defaults: false);
                using var got = await s3.GetObjectAsync("bkt", "k");
                Assert.Equal("version one", await new StreamReader(got.ResponseStream).ReadToEndAsync());
                Assert.Equal("text/x-one", got.Headers.ContentType);
                Assert.Equal("one", got.Metadata["x-amz-meta-version"]);
            }
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static Task<PutObjectResponse> PutVersion(IAmazonS3 s3, string version)
    {
        var request = new PutObjectRequest
        {
            BucketName = "bkt", Key = "k", ContentBody = "version " + version, ContentType = "text/x-" + version.Split(',')[0], UseChunkEncoding = false,
        };
        request.Metadata.Add("version", version.Split(',')[0]);
        return s3.PutObjectAsync(request);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int link(string existing, string created);

    private static Task<PutObjectResponse> Put(IAmazonS3 s3, string bucket, string key) =>
        s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(Body), UseChunkEncoding = false });
}
