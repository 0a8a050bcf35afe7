using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using S3Overlay.Configuration;
using S3Overlay.Overlay;
using S3Overlay.Overlay.Fleet;
using S3Overlay.S3.Auth;
using S3Overlay.Telemetry.Prometheus;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Storage.S3;

namespace S3Overlay.Tests.Docs;

/// <summary>
/// The defaults docs/configuration.md states are the ones the server uses: each table's Default
/// cell, read from the page as a person reads it, against the settings the server builds from a
/// configuration that sets nothing (or only what turns the part on).
/// </summary>
[UnitTests]
public sealed partial class DocumentedDefaultsTests
{
    private static readonly Dictionary<string, string> Documented = ReadDefaults();

    private static Dictionary<string, string> ReadDefaults()
    {
        var defaults = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(RepoPaths.Root, "docs", "configuration.md")))
            if (Row().Match(line) is { Success: true } row) defaults[row.Groups["name"].Value] = row.Groups["default"].Value;
        return defaults;
    }

    /// <summary>The value in backticks at the start of the cell; null for "(none…)".</summary>
    private static string? Value(string name)
    {
        Assert.True(Documented.TryGetValue(name, out var cell), $"docs/configuration.md has no row for {name}");
        if (cell.StartsWith("(none", StringComparison.Ordinal)) return null;
        var value = Backticked().Match(cell);
        Assert.True(value.Success, $"{name}: the default '{cell}' is neither a `value` nor (none)");
        return value.Groups[1].Value;
    }

    private static long Long(string name) => long.Parse(Value(name)!, CultureInfo.InvariantCulture);
    private static TimeSpan Seconds(string name) => TimeSpan.FromSeconds(double.Parse(Value(name)!, CultureInfo.InvariantCulture));
    private static bool Bool(string name) => bool.Parse(Value(name)!);

    private static (SettingReader Read, IConfiguration Configuration) Settings(Dictionary<string, string?>? given = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(given ?? []).Build();
        return (new SettingReader(configuration), configuration);
    }

    [Fact]
    public void The_overlay_and_its_cache_use_the_documented_defaults()
    {
        var overlay = OverlaySettings.From(Settings().Read);
        Assert.Equal(Long("S3_OVERLAY_CHUNK_SIZE"), overlay.ChunkSize);
        Assert.Equal(Long("S3_OVERLAY_CHUNK_THRESHOLD"), overlay.ChunkThreshold);
        Assert.Equal(Value("S3_OVERLAY_CACHE_BUCKET"), overlay.CacheBucket);
        Assert.Equal(Bool("S3_OVERLAY_CACHE_ENABLED"), overlay.CacheEnabled);
        Assert.Equal(Long("S3_OVERLAY_MAX_FILLS"), overlay.MaxFills);
        Assert.Equal(Seconds("S3_OVERLAY_NEGATIVE_CACHE_TTL"), overlay.NegativeLookupTtl);
        Assert.Equal(Seconds("S3_OVERLAY_LISTING_CACHE_TTL"), overlay.ListingCacheTtl);
        Assert.Equal(Seconds("S3_OVERLAY_STALE_IF_ERROR"), overlay.StaleIfError);
        Assert.Equal(Bool("S3_OVERLAY_DEGRADED_LISTINGS"), overlay.DegradedListings);
        Assert.Equal(Bool("S3_OVERLAY_MERGE_LISTINGS"), overlay.MergeListings);
        Assert.Null(Value("S3_OVERLAY_REVALIDATE_AFTER"));
        Assert.Null(overlay.RevalidateAfter);
        Assert.Equal(Path.GetFullPath(Value("S3_OVERLAY_SPILL_DIR")!.Replace("<temp>", Path.GetTempPath().TrimEnd('/'))), overlay.SpillDirectory);
        Assert.Equal(Path.GetFullPath(Path.Combine(Path.GetTempPath(), "s3-overlay-spill")), overlay.SpillDirectory);
        Assert.Equal(0, Long("S3_OVERLAY_CACHE_MAX_BYTES"));
        Assert.Null(overlay.Limits.MaxBytes);
        Assert.Equal(Long("S3_OVERLAY_CACHE_HIGH_WATERMARK"), overlay.Limits.HighWatermarkPercent);
        Assert.Equal(Long("S3_OVERLAY_CACHE_LOW_WATERMARK"), overlay.Limits.LowWatermarkPercent);
        Assert.Equal(Seconds("S3_OVERLAY_CACHE_INDEX_FLUSH_INTERVAL"), overlay.Limits.IndexFlushInterval);
    }

    [Fact]
    public void The_server_and_its_stores_use_the_documented_defaults()
    {
        var server = ServerSettings.From(Settings().Read);
        Assert.Equal(Path.GetFullPath(Value("S3_OVERLAY_DATA_DIR")!), server.DataDir);
        Assert.Equal(Value("S3_OVERLAY_REGION"), server.Region);
        Assert.Null(Value("S3_OVERLAY_BASE_DOMAIN"));
        Assert.Null(server.BaseDomain);

        var local = LocalStoreSettings.From(Settings(new() { ["S3_OVERLAY_LOCAL_ENDPOINT"] = "http://127.0.0.1:9" }).Read)!.Store;
        Assert.Equal(Value("S3_OVERLAY_LOCAL_REGION"), local.Region);
        Assert.Equal(Value("S3_OVERLAY_LOCAL_ACCESS_KEY"), local.AccessKey);
        Assert.Equal(Value("S3_OVERLAY_LOCAL_SECRET_KEY"), local.SecretKey);
        Assert.Equal(Value("S3_OVERLAY_DEFAULT_BUCKET_LOCATION"), local.BucketLocation);
        Assert.Equal(Seconds("S3_OVERLAY_LOCAL_TIMEOUT"), local.RequestTimeout);

        var remote = RemoteStoreSettings.From(Settings(new() { ["S3_OVERLAY_REMOTE_ENDPOINT"] = "http://127.0.0.1:9" }).Read)!.Store;
        Assert.Equal(Value("S3_OVERLAY_REMOTE_REGION"), remote.Region);
        Assert.Equal(Value("S3_OVERLAY_REMOTE_ADDRESSING_STYLE") == "path", remote.PathStyle);
        Assert.Equal(Seconds("S3_OVERLAY_REMOTE_TIMEOUT"), remote.RequestTimeout);
        Assert.Null(Value("S3_OVERLAY_REMOTE_ACCESS_KEY_ID"));
        Assert.Null(remote.AccessKey);
    }

    [Fact]
    public void Access_the_fleet_and_metrics_use_the_documented_defaults()
    {
        var (read, configuration) = Settings();
        var auth = AuthSettings.From(read, configuration);
        Assert.True(auth.UsesDefaultCredentials);
        Assert.True(auth.IsUser(Value("S3_OVERLAY_ACCESS_KEY")!, Value("S3_OVERLAY_SECRET_KEY")!));
        Assert.Equal(Bool("S3_OVERLAY_ALLOW_DEFAULT_CREDENTIALS"), auth.AllowDefaultCredentials);

        var metrics = MetricsSettings.From(read);
        Assert.Equal(Bool("S3_OVERLAY_METRICS"), metrics.Enabled);
        Assert.Equal(Bool("S3_OVERLAY_METRICS_PUBLIC"), metrics.Public);

        var fleet = Settings(new() { ["S3_OVERLAY_PEERS"] = "http://127.0.0.1:1", ["S3_OVERLAY_PEER_URL"] = "http://127.0.0.1:1" });
        var peers = FleetSettings.From(fleet.Read, fleet.Configuration)!;
        Assert.Equal(Seconds("S3_OVERLAY_PEER_TIMEOUT"), peers.Timeout);
        Assert.Equal(Seconds("S3_OVERLAY_PEER_DOWN_FOR"), peers.DownFor);
        Assert.Equal(Seconds("S3_OVERLAY_PEERS_REFRESH"), peers.Refresh);
    }

    [GeneratedRegex(@"^\| `(?<name>S3_OVERLAY_[A-Z0-9_]+)`[^|]*\| [^|]+ \| (?<default>[^|]+) \|")]
    private static partial Regex Row();

    [GeneratedRegex(@"^`([^`]*)`")]
    private static partial Regex Backticked();
}
