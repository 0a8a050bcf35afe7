using S3Overlay.Configuration;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Overlay;

/// <summary>A wrong overlay setting stops start-up with a message naming it.</summary>
[UnitTests]
public class OverlayConfigurationTests
{
    [Theory]
    [InlineData("S3_OVERLAY_BUCKET_MAPPING", "photos=remote-photos")]
    [InlineData("S3_OVERLAY_CHUNK_THRESHOLD", "1048576")]
    [InlineData("S3_OVERLAY_REMOTE_ADDRESSING_STYLE", "sideways")]
    [InlineData("S3_OVERLAY_REVALIDATE_AFTER", "soon")]
    public async Task A_bad_setting_stops_start_up_naming_it(string name, string value)
    {
        var settings = new Dictionary<string, string?>
        {
            ["S3_OVERLAY_REMOTE_ENDPOINT"] = "http://127.0.0.1:9",
            ["S3_OVERLAY_CHUNK_SIZE"] = "8388608",
            [name] = value,
        };
        var e = await Assert.ThrowsAsync<SettingException>(async () => await (await ProxyServer.StartAsync(settings)).DisposeAsync());
        Assert.Contains(name, e.Message);
    }
}
