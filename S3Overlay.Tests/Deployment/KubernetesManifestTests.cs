using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using S3Overlay.Telemetry.Prometheus;
using S3Overlay.Tests.Clients;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Telemetry.Prometheus;
using S3Overlay.Configuration.Catalog;

namespace S3Overlay.Tests.Deployment;

/// <summary>
/// <c>deploy/kubernetes/</c>: YAML that PyYAML and yamllint accept, objects that fit together
/// (selectors, ports, the peers' Service), settings the server has, and probes and a scrape path
/// that a real proxy answers.
/// </summary>
[ConformanceTests]
public sealed class KubernetesManifestTests
{
    private static readonly string Folder = Path.Combine(RepoPaths.Root, "deploy", "kubernetes");
    private static readonly string[] Files = ["s3overlay.yaml", "minio.yaml", "servicemonitor.yaml"];

    [Fact]
    public async Task Yamllint_accepts_every_manifest()
    {
        using var yamllint = new ClientProcess();
        var output = await yamllint.RunAsync("/usr/bin/yamllint", ["--strict", "-c", Path.Combine(Folder, ".yamllint"), .. Files.Select(f => Path.Combine(Folder, f))]);
        Assert.Equal("", output.Trim());
        Assert.Equal(Files.Order(), Directory.GetFiles(Folder, "*.yaml").Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task The_replicas_are_probed_on_alive_and_scraped_where_the_metrics_are()
    {
        var overlay = await DocumentsAsync("s3overlay.yaml");
        var deployment = Single(overlay, "Deployment");
        var pod = deployment.GetProperty("spec").GetProperty("template");
        var container = Assert.Single(pod.GetProperty("spec").GetProperty("containers").EnumerateArray());
        var port = Assert.Single(container.GetProperty("ports").EnumerateArray());
        Assert.Equal(8000, port.GetProperty("containerPort").GetInt32());
        foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
        {
            var get = container.GetProperty(probe).GetProperty("httpGet");
            Assert.Equal(Extensions.AlivePath, get.GetProperty("path").GetString());
            Assert.Equal(port.GetProperty("name").GetString(), get.GetProperty("port").GetString());
        }

        var env = container.GetProperty("env").EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!, e => e);
        Assert.Equal("true", env[TelemetryCatalog.Metrics.Name].GetProperty("value").GetString());
        // Every S3_OVERLAY_* name is one the server reads (a misspelt one would be silently ignored).
        var source = string.Join('\n', Directory.GetFiles(Path.Combine(RepoPaths.Root, "S3Overlay.Proxy"), "*.cs", SearchOption.AllDirectories).Select(File.ReadAllText));
        foreach (var name in env.Keys.Where(n => n.StartsWith("S3_OVERLAY_")))
            Assert.Contains($"\"{name}\"", source);

        // The pods, the peers' headless Service and the clients' Service select the same labels.
        var labels = pod.GetProperty("metadata").GetProperty("labels").GetRawText();
        Assert.Equal(labels, deployment.GetProperty("spec").GetProperty("selector").GetProperty("matchLabels").GetRawText());
        var services = overlay.Where(d => Kind(d) == "Service").ToDictionary(d => d.GetProperty("metadata").GetProperty("name").GetString()!);
        Assert.All(services.Values, s => Assert.Equal(labels, s.GetProperty("spec").GetProperty("selector").GetRawText()));
        var peers = new Uri(env["S3_OVERLAY_PEERS"].GetProperty("value").GetString()!);
        var headless = services[peers.Host].GetProperty("spec");
        Assert.Equal("None", headless.GetProperty("clusterIP").GetString());
        Assert.Equal(peers.Port, Assert.Single(headless.GetProperty("ports").EnumerateArray()).GetProperty("port").GetInt32());
        var local = new Uri(env["S3_OVERLAY_LOCAL_ENDPOINT"].GetProperty("value").GetString()!);
        var minio = Single(await DocumentsAsync("minio.yaml"), "Service");
        Assert.Equal(local.Host, minio.GetProperty("metadata").GetProperty("name").GetString());
        Assert.Equal(local.Port, Assert.Single(minio.GetProperty("spec").GetProperty("ports").EnumerateArray()).GetProperty("port").GetInt32());

        var monitor = Single(await DocumentsAsync("servicemonitor.yaml"), "ServiceMonitor").GetProperty("spec");
        Assert.Equal(labels, monitor.GetProperty("selector").GetProperty("matchLabels").GetRawText());
        var endpoint = Assert.Single(monitor.GetProperty("endpoints").EnumerateArray());
        Assert.Equal(MetricsEndpoint.Path, endpoint.GetProperty("path").GetString());
        Assert.Equal(port.GetProperty("name").GetString(), endpoint.GetProperty("port").GetString());
        Assert.True(endpoint.TryGetProperty("basicAuth", out _), "the metrics are signed in for");

        // What the manifests point at answers on a real proxy with the same metrics setting.
        await using var proxy = await ProxyServer.StartAsync(new Dictionary<string, string?> { [TelemetryCatalog.Metrics.Name] = "true" });
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(proxy.Url + Extensions.AlivePath)).StatusCode);
        Assert.NotEmpty((await PrometheusText.ScrapeAsync(proxy.Url)).Families);
    }

    private static string? Kind(JsonElement document) => document.GetProperty("kind").GetString();

    private static JsonElement Single(IEnumerable<JsonElement> documents, string kind) => Assert.Single(documents, d => Kind(d) == kind);

    /// <summary>The file's documents as PyYAML reads them (Debian's python3-yaml), each with an apiVersion and a kind.</summary>
    private static async Task<IReadOnlyList<JsonElement>> DocumentsAsync(string file)
    {
        using var python = new ClientProcess();
        var output = await python.RunAsync("/usr/bin/python3", Path.Combine(AppContext.BaseDirectory, "Deployment", "yaml_documents.py"), Path.Combine(Folder, file));
        var documents = JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
        Assert.NotEmpty(documents);
        Assert.All(documents, d =>
        {
            Assert.False(string.IsNullOrEmpty(d.GetProperty("apiVersion").GetString()));
            Assert.False(string.IsNullOrEmpty(Kind(d)));
        });
        return documents;
    }
}
