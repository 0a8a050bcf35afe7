using Microsoft.Extensions.Configuration;
using S3Overlay.Configuration;
using S3Overlay.Hosting;
using S3Overlay.Overlay.Fleet;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Fleet;

/// <summary>The fleet's settings, read at start-up; a wrong one stops it naming the setting.</summary>
[UnitTests]
public sealed class FleetSettingsTests
{
    private static FleetSettings? Read(params (string Name, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Name, s.Value)))
            .Build();
        return FleetSettings.From(new SettingReader(configuration), configuration);
    }

    private static void Refused(string setting, string why, params (string, string)[] settings)
    {
        var e = Assert.Throws<SettingException>(() => Read(settings));
        Assert.Equal(setting, e.Setting);
        Assert.Contains(why, e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void No_peers_is_no_fleet() => Assert.Null(Read());

    [Fact]
    public void A_static_list_names_every_replica_this_one_included()
    {
        var fleet = Read(("S3_OVERLAY_PEERS", "http://a:8000, http://b:8000,http://c:8000"), ("S3_OVERLAY_PEER_URL", "http://b:8000/"))!;
        Assert.Equal(["http://a:8000/", "http://b:8000/", "http://c:8000/"], fleet.Peers.Select(p => p.ToString()));
        Assert.Equal("http://b:8000/", fleet.Self.ToString());
        Assert.Null(fleet.Dns);
    }

    [Fact]
    public void One_name_that_is_not_this_replica_is_resolved_to_every_replica()
    {
        var fleet = Read(("S3_OVERLAY_PEERS", "http://s3overlay-peers:8000"), ("S3_OVERLAY_PEER_URL", "http://10.1.2.3:8000"))!;
        Assert.Empty(fleet.Peers);
        Assert.Equal("s3overlay-peers", fleet.Dns!.Host);
        Assert.Equal("http://10.1.2.4:8000/", fleet.At(System.Net.IPAddress.Parse("10.1.2.4")).ToString());
    }

    [Fact]
    public void Wrong_settings_stop_start_up_naming_the_setting()
    {
        Refused("S3_OVERLAY_PEERS", "S3_OVERLAY_PEER_URL is set", ("S3_OVERLAY_PEER_URL", "http://a:8000"));
        Refused("S3_OVERLAY_PEER_URL", "this replica's own URL", ("S3_OVERLAY_PEERS", "http://a:8000,http://b:8000"));
        Refused("S3_OVERLAY_PEER_URL", "is not one of", ("S3_OVERLAY_PEERS", "http://a:8000,http://b:8000"), ("S3_OVERLAY_PEER_URL", "http://c:8000"));
        Refused("S3_OVERLAY_PEERS", "not an http:// or https:// URL", ("S3_OVERLAY_PEERS", "a:8000,b:8000"), ("S3_OVERLAY_PEER_URL", "http://a:8000"));
        Refused("S3_OVERLAY_PEERS", "without path", ("S3_OVERLAY_PEERS", "http://a:8000/x,http://b:8000"), ("S3_OVERLAY_PEER_URL", "http://b:8000"));
        Refused("S3_OVERLAY_PEERS", "twice", ("S3_OVERLAY_PEERS", "http://a:8000,http://a:8000/"), ("S3_OVERLAY_PEER_URL", "http://a:8000"));
        Refused("S3_OVERLAY_PEER_URL", "scheme and port", ("S3_OVERLAY_PEERS", "http://peers:8000"), ("S3_OVERLAY_PEER_URL", "http://10.0.0.1:9000"));
        Refused("S3_OVERLAY_PEER_TIMEOUT", "more than 0", ("S3_OVERLAY_PEERS", "http://a:8000"), ("S3_OVERLAY_PEER_URL", "http://a:8000"), ("S3_OVERLAY_PEER_TIMEOUT", "0"));
        // Users but no root key: nothing the peers could sign with that every replica accepts as the root.
        Refused("S3_OVERLAY_ACCESS_KEY", "root key", ("S3_OVERLAY_PEERS", "http://a:8000"), ("S3_OVERLAY_PEER_URL", "http://a:8000"),
            ("Overlay:Users:u:AccessKey", "u"), ("Overlay:Users:u:SecretKey", "s"));
    }

    [Fact]
    public void The_server_refuses_to_start_with_a_wrong_fleet_setting()
    {
        var e = Assert.Throws<SettingException>(() => ProxyApplication.Build(["--S3_OVERLAY_PEERS=http://127.0.0.1:1", "--S3_OVERLAY_DATA_DIR=" + Path.GetTempPath()]));
        Assert.Equal("S3_OVERLAY_PEER_URL", e.Setting);
    }
}
