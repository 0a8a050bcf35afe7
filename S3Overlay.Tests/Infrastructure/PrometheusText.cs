using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using S3Overlay.Telemetry.Prometheus;
using S3Overlay.Tests.Clients;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>One sample of a scrape: its name (with <c>_total</c>, <c>_bucket</c>, ... as exposed), labels and value.</summary>
public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>A metric family as the Prometheus client's parser reads it (a counter's family name has no <c>_total</c>).</summary>
public sealed record Family(string Name, string Type, IReadOnlyList<Sample> Samples);

/// <summary>
/// A proxy's <c>/_overlay/metrics</c> scraped over loopback HTTP and read by the Prometheus
/// project's own parser (Debian's python3-prometheus-client, run by prometheus_text.py), so what
/// is checked is what a Prometheus server would take in, not what our own reading would.
/// </summary>
public sealed class PrometheusText(IReadOnlyList<Family> families)
{
    public IReadOnlyList<Family> Families { get; } = families;

    /// <summary>Every sample name exposed: what a PromQL query may name.</summary>
    public IReadOnlySet<string> SampleNames => Families.SelectMany(f => f.Samples).Select(s => s.Name).ToHashSet();

    public Family Family(string name) =>
        Families.SingleOrDefault(f => f.Name == name) ?? throw new Xunit.Sdk.XunitException(
            $"no family {name} in the scrape; it has {string.Join(", ", Families.Select(f => f.Name).Order())}");

    /// <summary>The value of the sample <paramref name="name"/> with these labels (others may be there too); 0 when no such series.</summary>
    public double Value(string name, params (string Label, string Value)[] labels) =>
        Families.SelectMany(f => f.Samples)
            .Where(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Label) == l.Value))
            .Sum(s => s.Value);

    /// <summary>GETs the metrics (signed in as the root unless <paramref name="signedIn"/> is false), expecting 200, and parses them.</summary>
    /// <param name="openMetrics">Ask for OpenMetrics, as a Prometheus server does, and parse with the strict OpenMetrics parser.</param>
    public static async Task<PrometheusText> ScrapeAsync(string proxyUrl, bool signedIn = true, bool openMetrics = false)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, proxyUrl + MetricsEndpoint.Path);
        if (signedIn) request.Headers.Authorization = Basic(ProxyServer.AccessKey, ProxyServer.SecretKey);
        if (openMetrics) request.Headers.Accept.ParseAdd(OpenMetricsAccept);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {MetricsEndpoint.Path} answered {(int)response.StatusCode}: {body}");
        Assert.StartsWith(openMetrics ? "application/openmetrics-text" : "text/plain", response.Content.Headers.ContentType?.MediaType);
        return await ParseAsync(body, openMetrics);
    }

    /// <summary>What Prometheus 2.x sends: OpenMetrics first, the classic text format as the fallback.</summary>
    public const string OpenMetricsAccept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    private static async Task<PrometheusText> ParseAsync(string body, bool openMetrics)
    {
        using var python = new ClientProcess();
        var file = python.WriteFile("scrape.txt", body);
        var script = Path.Combine(AppContext.BaseDirectory, "Telemetry", "Prometheus", "prometheus_text.py");
        var output = await python.RunAsync("/usr/bin/python3", script, file, openMetrics ? "openmetrics" : "text");
        using var json = JsonDocument.Parse(output);
        var families = json.RootElement.GetProperty("families").EnumerateArray().Select(f => new Family(
            f.GetProperty("name").GetString()!,
            f.GetProperty("type").GetString()!,
            f.GetProperty("samples").EnumerateArray().Select(s => new Sample(
                s.GetProperty("name").GetString()!,
                s.GetProperty("labels").EnumerateObject().ToDictionary(l => l.Name, l => l.Value.GetString()!),
                ValueOf(s.GetProperty("value")))).ToList())).ToList();
        return new PrometheusText(families);
    }

    private static double ValueOf(JsonElement value) => value.ValueKind == JsonValueKind.Number ? value.GetDouble() : value.GetString() switch
    {
        "inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        _ => double.NaN,
    };
}
