using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Clients;

/// <summary>rclone (Debian's package) syncs a tree with awkward names to the proxy and back, checking every byte both ways.</summary>
[ConformanceTests]
public sealed class RcloneTests : IAsyncLifetime
{
    private ProxyServer _proxy = null!;
    private readonly ClientProcess _rclone = new();

    public async ValueTask InitializeAsync()
    {
        _proxy = await ProxyServer.StartAsync();
        _rclone.UseRcloneRemote(_proxy.Url);
    }

    public async ValueTask DisposeAsync()
    {
        _rclone.Dispose();
        await _proxy.DisposeAsync();
    }

    private Task<ClientResult> Rclone(params string[] arguments) =>
        _rclone.TryRunAsync("/usr/bin/rclone", [.. arguments, "--retries", "1", "--low-level-retries", "1"]);

    [Fact]
    public async Task Sync_of_a_tree_with_spaces_unicode_and_plus_checks_clean()
    {
        var source = Path.Combine(_rclone.Home, "tree");
        string[] names =
        [
            "plain.txt",
            "with space/file name.txt",
            "ünïcødé/日本語 ファイル.bin",
            "a+b/c+d=e.txt",
            "deep/er/still/deeper.bin",
            "%25 percent & amp.txt",
        ];
        for (var i = 0; i < names.Length; i++)
            TestFiles.WriteRandom(Path.Combine(source, names[i]), 1000 * (i + 1), seed: i);
        // One file over rclone's 200 MiB default cutoff would be too slow; a smaller cutoff makes one multipart.
        TestFiles.WriteRandom(Path.Combine(source, "multi part.bin"), 6 * 1024 * 1024, seed: 99);

        Succeeded(await Rclone("mkdir", "overlay:rclone"));
        Succeeded(await Rclone("sync", source, "overlay:rclone/tree", "--s3-upload-cutoff", "5M", "--s3-chunk-size", "5M"));
        // --download compares the bytes, not only sizes and hashes (a multipart ETag is no MD5).
        Succeeded(await Rclone("check", "--download", source, "overlay:rclone/tree"));

        using (var s3 = _proxy.CreateClient())
            Assert.EndsWith("-2\"", (await s3.GetObjectMetadataAsync("rclone", "tree/multi part.bin")).ETag);
        var listed = Succeeded(await Rclone("lsf", "-R", "--files-only", "overlay:rclone/tree"));
        foreach (var name in names) Assert.Contains(name, listed);

        // Changing the source and syncing again deletes and replaces on the proxy.
        File.Delete(Path.Combine(source, "plain.txt"));
        TestFiles.WriteRandom(Path.Combine(source, "a+b/c+d=e.txt"), 777, seed: 7);
        Succeeded(await Rclone("sync", source, "overlay:rclone/tree"));
        Succeeded(await Rclone("check", "--download", source, "overlay:rclone/tree"));
        Assert.DoesNotContain("plain.txt", Succeeded(await Rclone("lsf", "-R", "overlay:rclone/tree")));

        // And the other way: the bucket synced into a folder that holds a stale file and lacks the rest.
        var back = Path.Combine(_rclone.Home, "back");
        TestFiles.WriteRandom(Path.Combine(back, "stale.txt"), 10, seed: 5);
        Succeeded(await Rclone("sync", "overlay:rclone/tree", back));
        Succeeded(await Rclone("check", "--download", "overlay:rclone/tree", back));
        Assert.False(File.Exists(Path.Combine(back, "stale.txt")));
        TestFiles.AssertSameBytes(Path.Combine(source, "ünïcødé/日本語 ファイル.bin"), Path.Combine(back, "ünïcødé/日本語 ファイル.bin"));
        TestFiles.AssertSameBytes(Path.Combine(source, "multi part.bin"), Path.Combine(back, "multi part.bin"));
    }

    private static string Succeeded(ClientResult result)
    {
        Assert.True(result.ExitCode == 0, $"rclone exited with {result.ExitCode}\n{result.StdOut}\n{result.StdErr}");
        return result.StdOut;
    }
}
