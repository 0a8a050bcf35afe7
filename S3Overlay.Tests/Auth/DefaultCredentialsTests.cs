using Microsoft.Extensions.Configuration;
using S3Overlay.Configuration;
using S3Overlay.Hosting;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Auth;

/// <summary>The default minioadmin/minioadmin may not be exposed beyond loopback by accident.</summary>
[UnitTests]
public class DefaultCredentialsTests
{
    [Theory]
    [InlineData("http://0.0.0.0:8000")]
    [InlineData("http://*:8000")]
    [InlineData("http://127.0.0.1:8000;http://[::]:8001")]
    [InlineData("http://192.168.1.10:8000")]
    public void The_defaults_on_a_non_loopback_address_stop_start_up(string urls)
    {
        var e = Assert.Throws<SettingException>(() => Build(urls));
        Assert.Equal("S3_OVERLAY_ALLOW_DEFAULT_CREDENTIALS", e.Setting);
        Assert.Contains("minioadmin", e.Message);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8000", null)]
    [InlineData("http://localhost:8000;http://[::1]:8001", null)]
    [InlineData("http://0.0.0.0:8000", "S3_OVERLAY_ALLOW_DEFAULT_CREDENTIALS=true")]
    [InlineData("http://0.0.0.0:8000", "S3_OVERLAY_ACCESS_KEY=k,S3_OVERLAY_SECRET_KEY=s")]
    public async Task Loopback_an_explicit_opt_in_or_real_credentials_start(string urls, string? settings)
    {
        await using var app = Build(urls, settings);
    }

    [Fact]
    public void An_access_key_without_a_secret_stops_start_up()
    {
        var e = Assert.Throws<SettingException>(() => Build("http://127.0.0.1:0", "S3_OVERLAY_ACCESS_KEY=k"));
        Assert.Equal("S3_OVERLAY_SECRET_KEY", e.Setting);
    }

    private static Microsoft.AspNetCore.Builder.WebApplication Build(string urls, string? settings = null) =>
        ProxyApplication.Build(["--urls", urls, "--environment", "Testing"], builder =>
        {
            var values = (settings ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Select(s => s.Split('=', 2)).ToDictionary(p => p[0], p => (string?)p[1]);
            values["S3_OVERLAY_DATA_DIR"] = Path.Combine(Path.GetTempPath(), "s3overlay-unused");
            builder.Configuration.AddInMemoryCollection(values);
        });
}
