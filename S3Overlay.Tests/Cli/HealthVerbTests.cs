using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Cli;

/// <summary><c>s3overlay health</c>, the container image's HEALTHCHECK: 0 for a healthy server, 1 for one that is not or is gone.</summary>
[FunctionalTests]
public sealed class HealthVerbTests
{
    [Fact]
    public async Task Health_exits_0_for_a_healthy_server_and_1_when_its_store_is_gone_or_it_cannot_be_reached()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var proxy = await ProxyServer.StartAsync(configure: b => b.Services.AddSingleton<TimeProvider>(clock));
        var healthy = await CliRun.RunAsync("health", "--server", proxy.Url);
        Assert.True(healthy.ExitCode == 0, healthy.Output + healthy.Error);
        Assert.Equal($"{proxy.Url}/_overlay/health: Healthy", healthy.Output.Trim());

        // The embedded store's data folder removed under it: the server answers, unhealthy.
        Directory.Delete(proxy.DataDir, recursive: true);
        clock.Advance(TimeSpan.FromSeconds(6)); // past the reuse of the last check
        var unhealthy = await CliRun.RunAsync("health", "--server", proxy.Url);
        Assert.Equal(1, unhealthy.ExitCode);
        Assert.Equal($"{proxy.Url}/_overlay/health: Unhealthy", unhealthy.Output.Trim());

        var closed = $"http://127.0.0.1:{FreePort()}";
        var gone = await CliRun.RunAsync("health", "--server", closed);
        Assert.Equal(1, gone.ExitCode);
        Assert.StartsWith($"s3overlay: {closed}/_overlay/health: ", gone.Error);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
