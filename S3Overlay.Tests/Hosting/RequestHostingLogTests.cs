using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using S3Overlay.Hosting;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Hosting;

/// <summary>
/// ASP.NET Core starts an Activity and a logging scope for every request when its hosting logger
/// is on at any level (it asks for Critical): the proxy turns that category off unless the
/// configuration names it, and then leaves it as configured.
/// </summary>
[UnitTests]
public class RequestHostingLogTests
{
    private const string Category = "Microsoft.AspNetCore.Hosting.Diagnostics";

    [Fact]
    public async Task The_hosting_logger_is_off_by_default()
    {
        await using var app = Build([]);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
        Assert.False(logger.IsEnabled(LogLevel.Critical));
        // Only that category: the proxy's own warnings still reach the log.
        Assert.True(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("S3Overlay.Overlay").IsEnabled(LogLevel.Warning));
    }

    [Theory]
    [InlineData(Category)]
    [InlineData("microsoft.aspnetcore.hosting.diagnostics")] // configuration keys ignore case
    public async Task Naming_the_category_in_the_configuration_brings_its_lines_back(string key)
    {
        await using var app = Build([new($"Logging:LogLevel:{key}", "Information")]);
        Assert.True(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Category).IsEnabled(LogLevel.Information));
    }

    private static Microsoft.AspNetCore.Builder.WebApplication Build(KeyValuePair<string, string?>[] settings) =>
        ProxyApplication.Build(["--urls", "http://127.0.0.1:0", "--environment", "Testing"], builder =>
            builder.Configuration.AddInMemoryCollection([new("S3_OVERLAY_DATA_DIR", Path.Combine(Path.GetTempPath(), "s3overlay-unused")), .. settings]));
}
