using System.Text.Json;
using System.Text.RegularExpressions;
using S3Overlay.Tests.Cli;
using S3Overlay.Tests.Clients;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Docs;

/// <summary>
/// The README's quick start "In front of a real bucket", run as written: its server commands in
/// one shell, its client commands in another, against a stand-in for the real bucket (a second
/// server on loopback holding the remote bucket, with the README's keys and region). What changes
/// from the text, and only that: the remote's URL is the stand-in's (path style, as on loopback),
/// <c>dotnet run --project S3Overlay.Proxy</c> runs the proxy this suite has built (not a second
/// build of it), and the port is a free one rather than 8000. Then the README's claims are
/// checked: both copies are the remote's bytes, and the status counts what the README says.
/// </summary>
[ConformanceTests]
public sealed partial class OverlayQuickStartTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("s3overlay-quickstart-").FullName;

    [Fact]
    public async Task The_overlay_quick_start_runs_as_written_against_a_stand_in_remote()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        var server = BashBlock(readme, "quickstart-overlay-server");
        var client = BashBlock(readme, "quickstart-overlay-client");
        var exports = Assignment().Matches(server).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var mapping = exports["S3_OVERLAY_BUCKET_MAPPING"].Split(':');
        var read = ObjectUrl().Match(client);
        Assert.True(read.Success, "the client commands read no s3:// object");
        Assert.Equal(mapping[0], read.Groups[1].Value);

        // The real bucket: the remote bucket of the mapping, holding the object the client reads.
        var remoteData = Path.Combine(_dir, "remote");
        var body = System.Security.Cryptography.RandomNumberGenerator.GetBytes(300_000);
        var remoteFile = Path.Combine(remoteData, mapping[1], read.Groups[2].Value);
        Directory.CreateDirectory(Path.GetDirectoryName(remoteFile)!);
        await File.WriteAllBytesAsync(remoteFile, body);
        await using var remote = await ProxyProcess.StartAsync(new Dictionary<string, string>
        {
            ["S3_OVERLAY_DATA_DIR"] = remoteData,
            ["S3_OVERLAY_ACCESS_KEY"] = exports["S3_OVERLAY_REMOTE_ACCESS_KEY_ID"],
            ["S3_OVERLAY_SECRET_KEY"] = exports["S3_OVERLAY_REMOTE_SECRET_ACCESS_KEY"],
            ["S3_OVERLAY_REGION"] = exports["S3_OVERLAY_REMOTE_REGION"],
        });

        // "$@" is what ServeProcess adds: serve --listen http://127.0.0.1:0 (serve is also what no arguments mean).
        var serverScript = Assignment().Replace(server, m => m.Groups[1].Value == "S3_OVERLAY_REMOTE_ENDPOINT" ? $"S3_OVERLAY_REMOTE_ENDPOINT={remote.Url}" : m.Value)
            .Replace("dotnet run --project S3Overlay.Proxy", $"exec dotnet {Path.Combine(AppContext.BaseDirectory, "S3Overlay.Proxy.dll")} \"$@\"", StringComparison.Ordinal);
        Assert.Contains(remote.Url, serverScript);
        // The stand-in is on 127.0.0.1, which has no bucket subdomains: path style, as for MinIO.
        await using var overlay = await ServeProcess.StartAsync(["bash", "-euo", "pipefail", "-c", serverScript, "quickstart"], [], _dir,
            new Dictionary<string, string> { ["S3_OVERLAY_REMOTE_ADDRESSING_STYLE"] = "path" });

        using var shell = new ClientProcess();
        shell["AWS_EC2_METADATA_DISABLED"] = "true";
        var result = await shell.TryRunAsync("bash", "-euo", "pipefail", "-c", client.Replace("http://127.0.0.1:8000", overlay.Url, StringComparison.Ordinal));
        Assert.True(result.ExitCode == 0, $"the client commands failed ({result.ExitCode}):\n{result.StdErr}\nserver:\n{overlay.Log}");

        Assert.Equal(body, await File.ReadAllBytesAsync(Path.Combine(shell.Home, "cat-1.jpg")));
        Assert.Equal(body, await File.ReadAllBytesAsync(Path.Combine(shell.Home, "cat-2.jpg")));
        // What the README says the status then shows.
        using var status = JsonDocument.Parse(result.StdOut[result.StdOut.IndexOf('{', StringComparison.Ordinal)..]);
        var root = status.RootElement;
        Assert.Equal(2, root.GetProperty("requests").GetProperty("byResult").GetProperty("remote_fill").GetInt32());
        Assert.Equal(2, root.GetProperty("requests").GetProperty("byResult").GetProperty("local_hit").GetInt32());
        Assert.Equal(0.5, root.GetProperty("hitRatio").GetDouble());
        Assert.Equal(1, root.GetProperty("fills").GetProperty("completed").GetInt32());
        Assert.Equal(body.Length, root.GetProperty("bytes").GetProperty("remote").GetInt64());
        Assert.Equal(body.Length, root.GetProperty("bytes").GetProperty("fetchedFromRemote").GetInt64());
        Assert.Equal(body.Length, root.GetProperty("bytes").GetProperty("local").GetInt64());
        Assert.Equal(body.Length, root.GetProperty("cacheSizeBytes").GetInt64());
    }

    /// <summary>The bash block between <c>&lt;!-- NAME:begin --&gt;</c> and <c>&lt;!-- NAME:end --&gt;</c>.</summary>
    private static string BashBlock(string readme, string name)
    {
        var block = Regex.Match(readme, $@"<!-- {name}:begin -->\s*```bash\n(.*?)```\s*<!-- {name}:end -->", RegexOptions.Singleline);
        Assert.True(block.Success, $"README.md has no bash block marked {name}");
        return block.Groups[1].Value;
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [GeneratedRegex(@"\b(S3_OVERLAY_[A-Z_]+)=(\S+)")]
    private static partial Regex Assignment();

    [GeneratedRegex(@"s3://([a-z0-9.-]+)/(\S+)")]
    private static partial Regex ObjectUrl();
}
