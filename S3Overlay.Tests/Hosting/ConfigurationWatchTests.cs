using Microsoft.Extensions.Configuration;
using S3Overlay.Hosting;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Hosting;

/// <summary>
/// Settings are read once at start; a watcher on the content root (the default ./data sits under
/// it) would process file events for every object the proxy stores.
/// </summary>
[UnitTests]
public class ConfigurationWatchTests
{
    [Fact]
    public async Task The_settings_files_are_read_but_not_watched()
    {
        await using var app = ProxyApplication.Build(["--urls", "http://127.0.0.1:0", "--environment", "Testing"], builder =>
            builder.Configuration.AddInMemoryCollection([new("S3_OVERLAY_DATA_DIR", Path.Combine(Path.GetTempPath(), "s3overlay-unused"))]));

        var files = ((IConfigurationRoot)app.Configuration).Providers.OfType<FileConfigurationProvider>().ToList();
        Assert.Contains(files, f => f.Source.Path == "appsettings.json");
        Assert.All(files, f => Assert.False(f.Source.ReloadOnChange, $"{f.Source.Path} is watched"));
    }
}
