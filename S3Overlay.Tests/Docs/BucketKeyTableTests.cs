using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using S3Overlay.Buckets;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Docs;

/// <summary>
/// docs/configuration.md's table of per-bucket keys (<c>Overlay:Buckets:NAME:…</c>) against
/// <see cref="BucketTargets"/>: the keys it lists are the ones the server reads (no more, no
/// fewer), and each stated default is what a bucket that leaves the key out gets.
/// </summary>
[UnitTests]
public sealed partial class BucketKeyTableTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("s3overlay-bucket-keys-").FullName;

    [GeneratedRegex(@"^\|\s*(?<keys>`[^|]*?)\s*\|(?<default>[^|]*)\|[^|]*\|$")]
    private static partial Regex Row();

    [GeneratedRegex(@"`([\w:]+)`")]
    private static partial Regex Backticked();

    /// <summary>Each key of the table with its Default cell.</summary>
    private static Dictionary<string, string> Table()
    {
        var lines = File.ReadAllLines(Path.Combine(RepoPaths.Root, "docs", "configuration.md"));
        var head = Array.FindIndex(lines, l => l.StartsWith("| Key (under `Overlay:Buckets:NAME:`)", StringComparison.Ordinal));
        Assert.True(head >= 0, "docs/configuration.md has lost its table of per-bucket keys (| Key (under `Overlay:Buckets:NAME:`) | Default | Meaning |)");
        var table = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(head + 2).TakeWhile(l => l.StartsWith('|')))
        {
            var row = Row().Match(line);
            Assert.True(row.Success, $"not a row of three cells: {line}");
            foreach (Match key in Backticked().Matches(row.Groups["keys"].Value)) table[key.Groups[1].Value] = row.Groups["default"].Value.Trim();
        }
        return table;
    }

    [Fact]
    public void The_table_lists_exactly_the_keys_the_server_reads()
    {
        var read = BucketTargets.BucketKeys.Where(k => k != "Remote").Concat(BucketTargets.RemoteKeys.Select(k => "Remote:" + k)).ToHashSet(StringComparer.Ordinal);
        var listed = Table().Keys.ToHashSet(StringComparer.Ordinal);
        Assert.True(read.SetEquals(listed),
            $"docs/configuration.md's per-bucket keys differ from BucketTargets' (not documented: {string.Join(", ", read.Except(listed))}; documented but not read: {string.Join(", ", listed.Except(read))})");
    }

    [Fact]
    public void A_bucket_that_leaves_a_key_out_gets_the_stated_default()
    {
        var table = Table();
        var credentials = Path.Combine(_dir, "credentials");
        File.WriteAllText(credentials, "[default]\naws_access_key_id = from-default\naws_secret_access_key = its-secret\n");
        var target = Target(new() { ["Overlay:Buckets:photos:Remote:CredentialsFile"] = credentials });
        var remote = target.Remote!;

        Assert.Equal("AWS S3", table["Remote:Endpoint"]);
        Assert.Null(remote.Endpoint);
        Assert.Equal($"`{remote.Region}`", table["Remote:Region"]);
        Assert.Equal("`virtual`", table["Remote:AddressingStyle"]);
        Assert.False(remote.PathStyle);
        Assert.Equal("`default`", table["Remote:Profile"]);
        Assert.Equal("from-default", remote.AccessKey);
        Assert.Equal("NAME", table["Remote:Bucket"]);
        Assert.Equal(target.Name, target.RemoteBucket);
        Assert.Equal("(none)", table["Remote:Prefix"]);
        Assert.Equal("", target.RemotePrefix);
        Assert.Equal($"`{remote.RequestTimeout.TotalSeconds}`", table["Remote:Timeout"]);
        Assert.Equal(remote.RequestTimeout, remote.ReadIdleTimeout);
        Assert.Equal("`S3_OVERLAY_CACHE_ENABLED`", table["Cache"]);
        Assert.Null(target.Cache);
        Assert.Equal($"`{target.ReadOnly.ToString().ToLowerInvariant()}`", table["ReadOnly"]);
        Assert.Equal($"`{target.Hidden.ToString().ToLowerInvariant()}`", table["Hidden"]);
        Assert.Equal($"`{target.PublicRead.ToString().ToLowerInvariant()}`", table["PublicRead"]);
        Assert.Equal($"`{target.Browseable.ToString().ToLowerInvariant()}`", table["Browseable"]);
        Assert.Equal("unsigned", table["Remote:AccessKey"]);
        Assert.Null(Target(new() { ["Overlay:Buckets:photos:Remote:Region"] = "eu-central-1" }).Remote!.AccessKey);
    }

    private static BucketTarget Target(Dictionary<string, string?> given) =>
        BucketTargets.From(new ConfigurationBuilder().AddInMemoryCollection(given).Build()).Of("photos")!;

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
