using System.Text.Json;
using S3Overlay.Tests.Clients;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Versions;

/// <summary>The aws CLI and rclone list, read and restore old versions on the embedded store.</summary>
[ConformanceTests]
public sealed class VersioningClientsTests
{
    [Fact]
    public async Task Aws_cli_writes_lists_reads_and_deletes_versions_and_delete_markers()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var cli = new ClientProcess();
        cli.UseAwsProfile();
        Task<string> Aws(params string[] arguments) => cli.RunAsync("/usr/bin/aws", [.. arguments, "--endpoint-url", proxy.Url, "--no-cli-pager"]);
        const string bucket = "cli-versions";
        await Aws("s3api", "create-bucket", "--bucket", bucket);
        await Aws("s3api", "put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", "Status=Enabled");
        Assert.Equal("Enabled", (await Aws("s3api", "get-bucket-versioning", "--bucket", bucket, "--query", "Status", "--output", "text")).Trim());

        var first = cli.WriteFile("first.txt", "first body");
        var second = cli.WriteFile("second.txt", "the second body");
        var v1 = (await Aws("s3api", "put-object", "--bucket", bucket, "--key", "notes.txt", "--body", first, "--query", "VersionId", "--output", "text")).Trim();
        var v2 = (await Aws("s3api", "put-object", "--bucket", bucket, "--key", "notes.txt", "--body", second, "--query", "VersionId", "--output", "text")).Trim();
        Assert.NotEqual(v1, v2);

        var back = Path.Combine(cli.Home, "back.txt");
        using (var got = JsonDocument.Parse(await Aws("s3api", "get-object", "--bucket", bucket, "--key", "notes.txt", "--version-id", v1, back)))
            Assert.Equal(v1, got.RootElement.GetProperty("VersionId").GetString());
        Assert.Equal("first body", await File.ReadAllTextAsync(back));

        using (var deleted = JsonDocument.Parse(await Aws("s3api", "delete-object", "--bucket", bucket, "--key", "notes.txt")))
            Assert.True(deleted.RootElement.GetProperty("DeleteMarker").GetBoolean());
        Assert.DoesNotContain("notes.txt", await Aws("s3", "ls", $"s3://{bucket}/"));
        using (var listed = JsonDocument.Parse(await Aws("s3api", "list-object-versions", "--bucket", bucket)))
        {
            Assert.Equal([v2, v1], listed.RootElement.GetProperty("Versions").EnumerateArray().Select(v => v.GetProperty("VersionId").GetString()));
            var marker = Assert.Single(listed.RootElement.GetProperty("DeleteMarkers").EnumerateArray());
            Assert.True(marker.GetProperty("IsLatest").GetBoolean());
        }

        await Aws("s3api", "delete-objects", "--bucket", bucket, "--delete", $"{{\"Objects\":[{{\"Key\":\"notes.txt\",\"VersionId\":\"{v1}\"}}]}}");
        var failed = await cli.TryRunAsync("/usr/bin/aws", "s3api", "head-object", "--bucket", bucket, "--key", "notes.txt", "--version-id", v1, "--endpoint-url", proxy.Url);
        Assert.Contains("404", failed.StdErr);
    }

    [Fact]
    public async Task Rclone_lists_old_versions_and_restores_the_one_current_at_a_time()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var rclone = new ClientProcess();
        rclone.UseRcloneRemote(proxy.Url);
        async Task<string> Rclone(params string[] arguments)
        {
            var result = await rclone.TryRunAsync("/usr/bin/rclone", [.. arguments, "--retries", "1", "--low-level-retries", "1"]);
            Assert.True(result.ExitCode == 0, $"rclone exited with {result.ExitCode}\n{result.StdOut}\n{result.StdErr}");
            return result.StdOut;
        }
        using (var s3 = proxy.CreateClient())
        {
            await s3.PutBucketAsync("rclone-versions");
            await s3.PutBucketVersioningAsync(new Amazon.S3.Model.PutBucketVersioningRequest
            {
                BucketName = "rclone-versions",
                VersioningConfig = new Amazon.S3.Model.S3BucketVersioningConfig { Status = Amazon.S3.VersionStatus.Enabled },
            });
        }

        await Rclone("copyto", rclone.WriteFile("v1.txt", "version one"), "overlay:rclone-versions/doc.txt");
        await Task.Delay(1500); // Last-Modified has whole seconds in a listing: a time between the two versions
        var between = DateTime.UtcNow;
        await Task.Delay(1500);
        await Rclone("copyto", rclone.WriteFile("v2.txt", "version two!"), "overlay:rclone-versions/doc.txt");

        var listed = await Rclone("lsf", "--s3-versions", "overlay:rclone-versions");
        var names = listed.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, names.Length);
        Assert.Contains("doc.txt", names);
        Assert.Contains(names, n => n.StartsWith("doc-v", StringComparison.Ordinal) && n.EndsWith(".txt", StringComparison.Ordinal));

        var at = between.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("version one", await Rclone("cat", "--s3-version-at", at, "overlay:rclone-versions/doc.txt"));
        Assert.Equal("version two!", await Rclone("cat", "overlay:rclone-versions/doc.txt"));
        // Restoring: the old version copied back as the current one.
        var restored = Path.Combine(rclone.Home, "restored.txt");
        await Rclone("copyto", "--s3-version-at", at, "overlay:rclone-versions/doc.txt", restored);
        await Rclone("copyto", restored, "overlay:rclone-versions/doc.txt");
        Assert.Equal("version one", await Rclone("cat", "overlay:rclone-versions/doc.txt"));
    }

    [Fact]
    public async Task Minio_js_client_enables_versioning_reads_an_old_version_lists_versions_and_removes_one()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using (var s3 = proxy.CreateClient()) await s3.PutBucketAsync("minio-js-versions");
        using var node = new ClientProcess();
        node["S3_URL"] = proxy.Url;
        node["S3_ACCESS_KEY"] = ProxyServer.AccessKey;
        node["S3_SECRET_KEY"] = ProxyServer.SecretKey;
        node["S3_BUCKET"] = "minio-js-versions";

        var output = await node.RunAsync("/usr/bin/node", Path.Combine(RepoPaths.TestsProject, "Clients", "minio-js", "versions.mjs"));

        using var seen = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        var root = seen.RootElement;
        Assert.Equal("Enabled", root.GetProperty("status").GetString());
        var (first, second) = (root.GetProperty("first").GetString(), root.GetProperty("second").GetString());
        Assert.NotEqual(first, second);
        Assert.Equal(first, root.GetProperty("statVersion").GetString());
        Assert.Equal("first", root.GetProperty("old").GetString());
        var afterDelete = root.GetProperty("afterDelete").EnumerateArray().ToList();
        Assert.Equal(3, afterDelete.Count);
        Assert.Single(afterDelete, v => v.GetProperty("isDeleteMarker").GetBoolean() && v.GetProperty("isLatest").GetBoolean());
        var afterRemove = root.GetProperty("afterRemove").EnumerateArray().Select(v => v.GetProperty("versionId").GetString()).ToList();
        Assert.Equal(2, afterRemove.Count);
        Assert.DoesNotContain(second, afterRemove);
        Assert.Contains(first, afterRemove);
    }
}
