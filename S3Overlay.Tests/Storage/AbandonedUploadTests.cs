using S3Overlay.Configuration;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;
using S3Overlay.Storage.FileSystem;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Tests.Storage;

[UnitTests]
public sealed class AbandonedUploadTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly DirectoryInfo _dataDir = Directory.CreateTempSubdirectory("s3overlay-fs-");

    public void Dispose() => _dataDir.Delete(recursive: true);

    [Fact]
    public async Task Uploads_and_temp_files_older_than_the_max_age_are_removed_and_younger_ones_kept()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var store = new FileSystemObjectStore(_dataDir.FullName, clock, new FileSystemStoreOptions(MultipartMaxAge: TimeSpan.FromHours(2)));
        await store.CreateBucketAsync("bucket", None);
        var old = await store.CreateMultipartUploadAsync("bucket", "old", ObjectWrite.Empty, None);
        await store.UploadPartAsync("bucket", "old", old, 1, new MemoryStream([1, 2, 3]), ObjectWrite.Empty, None);
        clock.Advance(TimeSpan.FromHours(1.5));
        var young = await store.CreateMultipartUploadAsync("bucket", "young", ObjectWrite.Empty, None);
        clock.Advance(TimeSpan.FromHours(1));
        // Temp files a crash left behind go too.
        var tmp = Path.Join(_dataDir.FullName, ".s3overlay", "tmp");
        File.WriteAllText(Path.Join(tmp, "crashed"), "half a body");
        File.SetLastWriteTimeUtc(Path.Join(tmp, "crashed"), clock.GetUtcNow().UtcDateTime.AddHours(-3));
        // A request's temp file untouched for over an hour belongs to no request, whatever the uploads' age.
        File.WriteAllText(Path.Join(tmp, "failed"), "left by a request that failed");
        File.SetLastWriteTimeUtc(Path.Join(tmp, "failed"), clock.GetUtcNow().UtcDateTime.AddHours(-1.5));
        File.WriteAllText(Path.Join(tmp, "in-flight"), "a body being written");
        File.SetLastWriteTimeUtc(Path.Join(tmp, "in-flight"), clock.GetUtcNow().UtcDateTime);

        Assert.Equal(1, await store.RemoveAbandonedUploadsAsync(None));

        Assert.Equal(["in-flight"], Directory.GetFiles(tmp).Select(Path.GetFileName));

        var e = await Assert.ThrowsAsync<StorageException>(() => store.ListPartsAsync("bucket", "old", old, 0, 1000, None));
        Assert.Equal("NoSuchUpload", e.Error.Code);
        Assert.Equal(["young"], (await store.ListMultipartUploadsAsync("bucket", new UploadsRequest(), None)).Uploads.Select(u => u.Key));
        Assert.Equal(young, (await store.ListMultipartUploadsAsync("bucket", new UploadsRequest(), None)).Uploads[0].UploadId);
    }

    [Fact]
    public async Task The_proxy_removes_abandoned_uploads_at_start_up()
    {
        var longAgo = new ManualClock(DateTimeOffset.UtcNow.AddDays(-3));
        var earlier = new FileSystemObjectStore(_dataDir.FullName, longAgo);
        await earlier.CreateBucketAsync("bucket", None);
        var uploadId = await earlier.CreateMultipartUploadAsync("bucket", "forgotten", ObjectWrite.Empty, None);

        await using var proxy = await ProxyServer.StartAsync(new Dictionary<string, string?> { ["S3_OVERLAY_MULTIPART_MAX_AGE"] = "3600" }, dataDir: _dataDir.FullName);

        var uploadDir = Path.Join(_dataDir.FullName, ".s3overlay", "uploads", "bucket", uploadId);
        await EventuallyAsync(() => !Directory.Exists(uploadDir), "the abandoned upload's folder is removed");
    }

    [Theory]
    [InlineData("S3_OVERLAY_MULTIPART_MAX_AGE", "soon")]
    [InlineData("S3_OVERLAY_MULTIPART_MIN_PART_SIZE", "big")]
    [InlineData("S3_OVERLAY_MULTIPART_MIN_PART_SIZE", "0")]
    public async Task A_bad_multipart_setting_stops_start_up_naming_it(string setting, string value)
    {
        var e = await Assert.ThrowsAsync<SettingException>(() => ProxyServer.StartAsync(new Dictionary<string, string?> { [setting] = value }));
        Assert.Equal(setting, e.Setting);
    }
}
