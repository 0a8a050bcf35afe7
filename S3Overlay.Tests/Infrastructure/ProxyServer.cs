using Amazon.Runtime;
using Amazon.S3;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using S3Overlay.Hosting;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// The real proxy, in process, on Kestrel at 127.0.0.1:0 with its own data folder: tests talk to
/// it over loopback HTTP exactly as a client would.
/// </summary>
public sealed class ProxyServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _ownsDataDir;
    private readonly ErrorLog _errors;

    private ProxyServer(WebApplication app, string dataDir, bool ownsDataDir, ErrorLog errors)
    {
        _app = app;
        _errors = errors;
        DataDir = dataDir;
        _ownsDataDir = ownsDataDir;
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        Url = addresses.Addresses.First().TrimEnd('/');
    }

    public string Url { get; }
    public string DataDir { get; }

    /// <summary>The last warnings and errors it logged, for a test's output (see <see cref="ErrorLog.Recent"/>).</summary>
    public string RecentLogs => string.Join(Environment.NewLine, _errors.Recent.Where(l => !l.Contains("No credentials", StringComparison.Ordinal)));
    public IServiceProvider Services => _app.Services;

    public const string AccessKey = "minioadmin";
    public const string SecretKey = "minioadmin";

    /// <param name="settings">Configuration as environment variables would give it (<c>S3_OVERLAY_*</c> keys).</param>
    /// <param name="configure">Replaces services (a fake TimeProvider, ...) before the app is built.</param>
    public static async Task<ProxyServer> StartAsync(
        IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null,
        string? dataDir = null)
    {
        var owns = dataDir is null;
        dataDir ??= Directory.CreateTempSubdirectory("s3overlay-").FullName;
        var all = new Dictionary<string, string?> { ["S3_OVERLAY_DATA_DIR"] = dataDir };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) all[k] = v;

        var errors = new ErrorLog();
        var app = ProxyApplication.Build(["--urls", "http://127.0.0.1:0", "--environment", "Testing"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(all);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddProvider(errors);
            configure?.Invoke(builder);
        });
        await app.StartAsync();
        return new ProxyServer(app, dataDir, owns, errors);
    }

    /// <summary>An AWSSDK.S3 client for this proxy; <paramref name="defaults"/> false sets the checksum modes to WHEN_REQUIRED.</summary>
    public AmazonS3Client CreateClient(bool defaults = true, string accessKey = AccessKey, string secretKey = SecretKey) =>
        S3Clients.Create(Url, accessKey, secretKey, defaults);

    /// <summary>A raw HTTP client for this proxy; its requests are SigV4-signed with the proxy's credentials unless <paramref name="signed"/> is false.</summary>
    public HttpClient CreateHttpClient(bool signed = true) =>
        signed ? new HttpClient(new SigningHandler()) { BaseAddress = new Uri(Url + "/") } : new HttpClient { BaseAddress = new Uri(Url + "/") };

    /// <summary>Stops the host as a shutdown signal would, <paramref name="ct"/> its stop timeout (disposing it later stops nothing more).</summary>
    public Task StopAsync(CancellationToken ct) => _app.StopAsync(ct);

    public async ValueTask DisposeAsync()
    {
        var teardown = new Teardown($"the proxy at {Url}");
        await teardown.StepAsync("stop the host", () => _app.StopAsync());
        await teardown.StepAsync("dispose the host", () => _app.DisposeAsync().AsTask());
        if (_ownsDataDir)
            await teardown.StepAsync("delete the data folder", () =>
            {
                try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { }
            });
        if (_errors.Errors.Count > 0)
            teardown.Fail("errors the proxy logged", $"{_errors.Errors.Count} error(s), each an exception no handler mapped (a 500 or a cut connection):"
                + Environment.NewLine + string.Join(Environment.NewLine, _errors.Errors.Take(5)));
        teardown.ThrowIfFailed();
    }
}
