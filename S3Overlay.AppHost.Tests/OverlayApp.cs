using Amazon.Runtime;
using Amazon.S3;
using Aspire.Hosting;
using Microsoft.Extensions.DependencyInjection;
using S3Overlay.AppHost.Seeding;

namespace S3Overlay.AppHost.Tests;

/// <summary>
/// The whole AppHost, started once for the test class with Aspire.Hosting.Testing: both MinIO
/// containers (the remote seeded), and the proxy, waited on until its /_overlay/health is healthy.
/// </summary>
public sealed class OverlayApp : IAsyncLifetime
{
    // The first run pulls the MinIO image; later runs start in seconds.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    private DistributedApplication? _app;

    /// <summary>Why nothing was started (no container runtime), or null.</summary>
    public string? SkipReason { get; } = ContainerRuntime.Unavailable;

    public DistributedApplication App => _app ?? throw new InvalidOperationException(SkipReason ?? "not started");

    /// <summary>An S3 client of the proxy, signing with the proxy's own credentials (AppHost parameters).</summary>
    public AmazonS3Client Proxy { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        if (SkipReason is not null) return;
        using var timeout = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.S3Overlay_AppHost>(timeout.Token);
        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        // Healthy means the MinIOs are healthy, the remote is seeded (WaitFor waits for that) and the proxy answers its health path.
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("proxy", timeout.Token);

        var endpoint = _app.GetEndpoint("proxy", "http");
        Proxy = S3Client(endpoint.ToString().TrimEnd('/'), await ParameterAsync("proxy-access-key", timeout.Token), await ParameterAsync("proxy-secret-key", timeout.Token));
    }

    /// <summary>A client straight to one of the MinIOs ("minio" or "remote"), bypassing the proxy.</summary>
    public async Task<AmazonS3Client> MinioAsync(string resource, CancellationToken cancellationToken) =>
        DemoObjects.CreateClient(await App.GetConnectionStringAsync(resource, cancellationToken)
            ?? throw new InvalidOperationException($"{resource} has no connection string"));

    private async Task<string> ParameterAsync(string name, CancellationToken cancellationToken)
    {
        var model = App.Services.GetRequiredService<DistributedApplicationModel>();
        IValueProvider parameter = model.Resources.OfType<ParameterResource>().Single(p => p.Name == name);
        return await parameter.GetValueAsync(cancellationToken) ?? throw new InvalidOperationException($"parameter {name} has no value");
    }

    private static AmazonS3Client S3Client(string url, string accessKey, string secretKey) => new(
        new BasicAWSCredentials(accessKey, secretKey),
        new AmazonS3Config { ServiceURL = url, ForcePathStyle = true, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

    public async ValueTask DisposeAsync()
    {
        Proxy?.Dispose();
        if (_app is not null) await _app.DisposeAsync();
    }
}
