using System.Text.Json;
using S3Overlay.Tests.S3;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Clients;

/// <summary>
/// <c>aws s3 sync</c> over keys the embedded store cannot keep as files at their key's path
/// (<c>a</c> beside <c>a/b</c>, <c>a//b</c>, <c>./</c> segments, long segments, its own marker's
/// name): up from a folder, from one prefix to another on the server (listings and CopyObject
/// across both of the store's areas), and down again.
/// </summary>
[ConformanceTests]
public sealed class AwsCliKeyNamesTests(AwsCliFixture cli) : IClassFixture<AwsCliFixture>
{
    private const string Bucket = AwsCliFixture.Bucket;

    [Fact]
    public async Task Sync_up_across_and_down_keeps_every_key()
    {
        var home = cli.Aws.Home;
        var tree = Path.Combine(home, "tree");
        string[] files = ["a/b.txt", "a/c/d.txt", "x/.s3overlay-folder", "plain.txt"];
        foreach (var file in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(tree, file))!);
            File.WriteAllText(Path.Combine(tree, file), "file " + file);
        }
        await cli.RunAsync("s3", "sync", tree, $"s3://{Bucket}/tree/");
        string[] awkward = ["a", "a//b", "a/./b", "x", "long/" + new string('l', 300)];
        foreach (var key in awkward) // signed raw requests: one CLI start per key would cost a second each
        {
            using var put = await RawS3.SendAsync(cli.Proxy, HttpMethod.Put, $"/{Bucket}/tree/{key}", "awkward");
            Assert.True(put.IsSuccessStatusCode, $"PUT {key}: {(int)put.StatusCode}");
        }

        await cli.RunAsync("s3", "sync", $"s3://{Bucket}/tree/", $"s3://{Bucket}/copy/");

        var expected = files.Concat(awkward).Order(StringComparer.Ordinal).ToList(); // ASCII: ordinal is S3's order
        Assert.Equal(expected, await KeysAsync("tree/"));
        Assert.Equal(expected, await KeysAsync("copy/"));
        var got = Path.Combine(home, "got.txt");
        await cli.RunAsync("s3api", "get-object", "--bucket", Bucket, "--key", "copy/a/./b", got);
        Assert.Equal("awkward", File.ReadAllText(got));
        // Listed alike on both sides (sizes, times): a second sync has nothing to do.
        Assert.Equal("", (await cli.RunAsync("s3", "sync", $"s3://{Bucket}/tree/", $"s3://{Bucket}/copy/")).Trim());

        var down = Path.Combine(home, "down");
        await cli.RunAsync("s3", "sync", $"s3://{Bucket}/copy/", down, "--exclude", "*", "--include", "a/b.txt", "--include", "a/c/*", "--include", "x/*", "--include", "plain.txt");
        foreach (var file in files)
            Assert.Equal("file " + file, File.ReadAllText(Path.Combine(down, file)));
    }

    private async Task<List<string>> KeysAsync(string prefix)
    {
        using var listing = JsonDocument.Parse(await cli.RunAsync("s3api", "list-objects-v2", "--bucket", Bucket, "--prefix", prefix, "--page-size", "3"));
        return listing.RootElement.GetProperty("Contents").EnumerateArray().Select(o => o.GetProperty("Key").GetString()![prefix.Length..]).ToList();
    }
}
