using System.Text.Json;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Clients;

/// <summary>
/// restic (Debian's package; minio-go underneath) backs a folder up to the proxy and restores it,
/// first on the embedded store, then through the overlay from a remote that holds the repository.
/// </summary>
[ConformanceTests]
public sealed class ResticTests
{
    private const string Password = "restic-test-password";
    private const string Bucket = "restic";
    // On the run's shared s3rver (SharedS3rver): a bucket of this run's own.
    private static readonly string RemoteBucket = "restic-origin-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Restic_backs_up_checks_and_restores_on_the_embedded_store_and_through_the_overlay_from_a_remote_repository()
    {
        using var restic = new ClientProcess();
        var source = Path.Combine(restic.Home, "source");
        var files = WriteTree(source);
        restic["AWS_ACCESS_KEY_ID"] = ProxyServer.AccessKey;
        restic["AWS_SECRET_ACCESS_KEY"] = ProxyServer.SecretKey;
        restic["RESTIC_PASSWORD"] = Password;

        // The embedded store: a new repository, a backup, every pack read back and verified, a restore.
        await using (var embedded = await ProxyServer.StartAsync())
        {
            restic["RESTIC_REPOSITORY"] = $"s3:{embedded.Url}/{Bucket}";
            await Restic(restic, "init");
            await Restic(restic, "backup", "source");
            await Restic(restic, "check", "--read-data");
            AssertSameTree(source, await RestoreAsync(restic, "embedded"), files);

            // The overlay: the repository as a remote bucket (s3rver), read through a bucket mapped to it.
            var s3rver = await SharedS3rver.Remote.GetAsync();
            using var remote = S3Clients.Create(s3rver.Url, S3rverProcess.AccessKey, S3rverProcess.SecretKey, defaults: false);
            await remote.PutBucketAsync(RemoteBucket);
            using (var local = embedded.CreateClient(defaults: false)) await local.CopyBucketAsync(Bucket, remote, RemoteBucket);
            var remoteKeys = await KeysAsync(remote);
            await using var overlay = await ProxyServer.StartAsync(new Dictionary<string, string?>
            {
                ["S3_OVERLAY_REMOTE_ENDPOINT"] = s3rver.Url,
                ["S3_OVERLAY_REMOTE_ACCESS_KEY_ID"] = S3rverProcess.AccessKey,
                ["S3_OVERLAY_REMOTE_SECRET_ACCESS_KEY"] = S3rverProcess.SecretKey,
                ["S3_OVERLAY_REMOTE_ADDRESSING_STYLE"] = "path",
                ["S3_OVERLAY_CACHE_ENABLED"] = "true",
                ["S3_OVERLAY_BUCKET_MAPPING"] = $"{Bucket}:{RemoteBucket}",
            });
            using (var client = overlay.CreateClient()) await client.PutBucketAsync(Bucket);
            restic["RESTIC_REPOSITORY"] = $"s3:{overlay.Url}/{Bucket}";

            await Restic(restic, "check", "--read-data"); // every pack filled from the remote
            files = ChangeTree(source, files);
            await Restic(restic, "backup", "source"); // a second snapshot, written to the local store only
            AssertSameTree(source, await RestoreAsync(restic, "overlay"), files);
            var snapshots = JsonDocument.Parse(await Restic(restic, "snapshots", "--json")).RootElement;
            Assert.Equal(2, snapshots.GetArrayLength());
            Assert.Equal(remoteKeys, await KeysAsync(remote)); // the remote is never written
        }
    }

    private static Task<string> Restic(ClientProcess restic, params string[] arguments) =>
        restic.RunAsync("/usr/bin/restic", ["--no-cache", "--quiet", .. arguments]);

    private static async Task<string> RestoreAsync(ClientProcess restic, string name)
    {
        var target = Path.Combine(restic.Home, "restored-" + name);
        await Restic(restic, "restore", "latest", "--target", target);
        return Path.Combine(target, "source");
    }

    /// <summary>
    /// A few thousand small files in folders (small to write: the count is what a backup tool
    /// walks) and two large ones, over restic's chunk and pack sizes. Returns the relative paths.
    /// </summary>
    private static SortedSet<string> WriteTree(string root)
    {
        var files = new SortedSet<string>(StringComparer.Ordinal);
        var random = new Random(29);
        var buffer = new byte[4096];
        for (var i = 0; i < 2000; i++)
        {
            var name = $"d{i % 40:00}/f{i:0000}.txt";
            var path = Path.Combine(root, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            random.NextBytes(buffer);
            File.WriteAllBytes(path, buffer.AsSpan(0, random.Next(1, buffer.Length)).ToArray());
            files.Add(name);
        }
        files.Add(Path.GetFileName(TestFiles.WriteRandom(Path.Combine(root, "large-1.bin"), 8 * 1024 * 1024 + 17, seed: 1)));
        files.Add(Path.GetFileName(TestFiles.WriteRandom(Path.Combine(root, "large-2.bin"), 6 * 1024 * 1024 + 123, seed: 2)));
        return files;
    }

    /// <summary>What changes between two backups: a file rewritten, one added, one deleted.</summary>
    private static SortedSet<string> ChangeTree(string root, SortedSet<string> files)
    {
        TestFiles.WriteRandom(Path.Combine(root, "d07/f0007.txt"), 3000, seed: 7);
        TestFiles.WriteRandom(Path.Combine(root, "new/added.bin"), 2 * 1024 * 1024, seed: 8);
        File.Delete(Path.Combine(root, "d08/f0008.txt"));
        var changed = new SortedSet<string>(files, StringComparer.Ordinal) { "new/added.bin" };
        changed.Remove("d08/f0008.txt");
        return changed;
    }

    /// <summary>The restored tree holds exactly the source's files, byte for byte.</summary>
    private static void AssertSameTree(string source, string restored, SortedSet<string> files)
    {
        var found = Directory.EnumerateFiles(restored, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(restored, path).Replace('\\', '/'));
        Assert.Equal(files, new SortedSet<string>(found, StringComparer.Ordinal));
        foreach (var file in files)
        {
            var (expected, actual) = (Path.Combine(source, file), Path.Combine(restored, file));
            if (new FileInfo(expected).Length > 1024 * 1024) TestFiles.AssertSameBytes(expected, actual);
            else Assert.True(File.ReadAllBytes(expected).AsSpan().SequenceEqual(File.ReadAllBytes(actual)), file);
        }
    }

    private static async Task<List<string>> KeysAsync(Amazon.S3.IAmazonS3 remote) =>
        [.. (await remote.ListObjectsV2Async(new ListObjectsV2Request { BucketName = RemoteBucket })).S3Objects?.Select(o => o.Key) ?? []];
}
