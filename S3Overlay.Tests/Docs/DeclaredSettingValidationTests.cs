using Microsoft.Extensions.Configuration;
using S3Overlay.Configuration;
using S3Overlay.Configuration.Catalog;
using S3Overlay.Hosting;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Docs;

/// <summary>
/// Every declared setting whose value is parsed (numbers, switches, durations) is read and checked
/// while the server is built, before it listens: a bad value stops start-up naming the setting.
/// </summary>
[UnitTests]
public sealed class DeclaredSettingValidationTests
{
    /// <summary>The settings that turn a part on, so that the part's own settings are read.</summary>
    private static readonly Dictionary<Type, Dictionary<string, string?>> TurnedOn = new()
    {
        [typeof(LocalStoreCatalog)] = new() { [LocalStoreCatalog.Endpoint.Name] = "http://127.0.0.1:9" },
        [typeof(RemoteCatalog)] = new() { [RemoteCatalog.Endpoint.Name] = "http://127.0.0.1:9" },
        [typeof(FleetCatalog)] = new() { [FleetCatalog.Peers.Name] = "http://127.0.0.1:9", [FleetCatalog.PeerUrl.Name] = "http://127.0.0.1:9" },
    };

    public static TheoryData<string> Parsed() =>
        [.. SettingCatalog.All.Where(s => s is LongSetting or BoolSetting or DurationSetting).Select(s => s.Name)];

    [Theory]
    [MemberData(nameof(Parsed))]
    public void A_value_that_does_not_parse_stops_the_build_naming_the_setting(string name)
    {
        var section = SettingCatalog.Sections.Single(s => s.Settings.Any(setting => setting.Name == name));
        var data = Directory.CreateTempSubdirectory("s3overlay-settings-").FullName;
        try
        {
            var settings = new Dictionary<string, string?>(TurnedOn.GetValueOrDefault(section.Catalog) ?? [])
            {
                [ServerCatalog.DataDir.Name] = data,
                [name] = "not-a-value",
            };
            var e = Assert.Throws<SettingException>(() => ProxyApplication.Build(
                ["--urls", "http://127.0.0.1:0", "--environment", "Testing"],
                builder => builder.Configuration.AddInMemoryCollection(settings)));
            Assert.Equal(name, e.Setting);
            Assert.Contains("'not-a-value'", e.Message);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
