using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Clients;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.ObjectLock;

/// <summary>
/// What a backup into an object-lock bucket relies on, with rclone as the backup tool: a bucket
/// whose default retention locks every version it writes; rclone copies a folder in, deletes it
/// (delete markers, which S3 allows whatever the locks), and then tries to remove the hidden
/// versions (<c>backend cleanup-hidden</c>, which removes the delete markers and tries every
/// older version): refused for each locked one, every locked version still there, byte for byte.
/// </summary>
internal static class LockedRcloneBackup
{
    public const string Folder = "backup";
    public const int Files = 3;

    /// <param name="proxyUrl">The proxy rclone talks to.</param>
    /// <param name="client">A client of the same proxy, to look at the versions.</param>
    /// <param name="bucket">A bucket with Object Lock and a default retention already set.</param>
    public static async Task RunAsync(string proxyUrl, IAmazonS3 client, string bucket)
    {
        using var rclone = new ClientProcess();
        rclone.UseRcloneRemote(proxyUrl);
        Task<ClientResult> Rclone(params string[] arguments) => rclone.TryRunAsync("/usr/bin/rclone", [.. arguments, "--retries", "1", "--low-level-retries", "1"]);
        var target = $"overlay:{bucket}/{Folder}";
        var source = Path.Combine(rclone.Home, Folder);
        Directory.CreateDirectory(source);
        for (var i = 0; i < Files; i++) File.WriteAllText(Path.Combine(source, $"file{i}.txt"), $"contents {i}");

        var copied = await Rclone("copy", source, target);
        Assert.True(copied.ExitCode == 0, copied.StdErr);
        var listed = (await Rclone("lsf", target)).StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(0, Files).Select(i => $"file{i}.txt"), listed.Order(StringComparer.Ordinal));

        var deleted = await Rclone("delete", target);
        Assert.True(deleted.ExitCode == 0, deleted.StdErr); // delete markers: allowed
        Assert.Equal("", (await Rclone("lsf", target)).StdOut.Trim());

        var cleanup = await Rclone("backend", "cleanup-hidden", target);
        Assert.NotEqual(0, cleanup.ExitCode);
        Assert.Contains("AccessDenied", cleanup.StdErr);

        var versions = await client.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket, Prefix = Folder + "/" });
        for (var i = 0; i < Files; i++)
        {
            var kept = Assert.Single(versions.Versions, v => v.Key == $"{Folder}/file{i}.txt" && v.IsDeleteMarker != true);
            using var got = await client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = kept.Key, VersionId = kept.VersionId });
            Assert.NotNull(got.ObjectLockRetainUntilDate);
            Assert.Equal($"contents {i}", await new StreamReader(got.ResponseStream).ReadToEndAsync());
        }
    }
}
