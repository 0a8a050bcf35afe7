using System.Diagnostics;
using System.Text.Json;
using S3Overlay.Telemetry.Prometheus;
using S3Overlay.Tests.Fleet;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Telemetry.Prometheus;

/// <summary>
/// A real Prometheus server (Debian's) on a free loopback port, scraping one proxy's
/// <c>/_overlay/metrics</c> every second as an operator's would (signed in with HTTP Basic), with
/// its data in a temp folder; queried over its HTTP API.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    public const string Job = "s3overlay";

    private readonly Process _process;
    private readonly string _folder;
    private readonly HttpClient _http;

    private PrometheusServer(Process process, string folder, string url)
    {
        _process = process;
        _folder = folder;
        _http = new HttpClient { BaseAddress = new Uri(url) };
    }

    public static async Task<PrometheusServer> StartAsync(string proxyUrl)
    {
        var folder = Directory.CreateTempSubdirectory("s3overlay-prometheus-").FullName;
        var target = new Uri(proxyUrl).Authority;
        // JSON is YAML: the scrape configuration an operator writes (docs/metrics.md), at a 1 s interval.
        var config = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["global"] = new Dictionary<string, string> { ["scrape_interval"] = "1s", ["evaluation_interval"] = "1s" },
            ["scrape_configs"] = new[]
            {
                new Dictionary<string, object>
                {
                    ["job_name"] = Job,
                    ["metrics_path"] = MetricsEndpoint.Path,
                    ["basic_auth"] = new Dictionary<string, string> { ["username"] = ProxyServer.AccessKey, ["password"] = ProxyServer.SecretKey },
                    ["static_configs"] = new[] { new Dictionary<string, string[]> { ["targets"] = [target] } },
                },
            },
        });
        await File.WriteAllTextAsync(Path.Combine(folder, "prometheus.yml"), config);
        var url = $"http://127.0.0.1:{FreePorts.Take()}/";
        var info = new ProcessStartInfo("/usr/bin/prometheus",
        [
            "--config.file=" + Path.Combine(folder, "prometheus.yml"),
            "--storage.tsdb.path=" + Path.Combine(folder, "data"),
            "--web.listen-address=" + new Uri(url).Authority,
            "--log.level=warn",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start prometheus");
        var log = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        var server = new PrometheusServer(process, folder, url);
        try
        {
            await Polling.EventuallyAsync(async () =>
            {
                if (process.HasExited) Assert.Fail($"prometheus exited with {process.ExitCode}: {await log}");
                try { return (await server._http.GetAsync("-/ready")).IsSuccessStatusCode; }
                catch (HttpRequestException) { return false; }
            }, "prometheus is ready", TimeSpan.FromSeconds(30)); // a process to start, as s3rver's 30 s
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>An instant query's result (<c>data.result</c>): one element per series, each with its <c>metric</c> labels and <c>value</c>.</summary>
    public async Task<IReadOnlyList<JsonElement>> QueryAsync(string promql)
    {
        using var response = await _http.GetAsync("api/v1/query?query=" + Uri.EscapeDataString(promql));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Prometheus refused {promql}: {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().Select(r => r.Clone()).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _http.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
