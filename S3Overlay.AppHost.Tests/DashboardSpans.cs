using System.Net.Http.Json;
using System.Text.Json;

namespace S3Overlay.AppHost.Tests;

/// <summary>One span as the dashboard holds it: the resource that sent it, its scope, name and attributes.</summary>
public sealed record DashboardSpan(string Resource, string Scope, string TraceId, string SpanId, string? ParentSpanId, string Name, IReadOnlyDictionary<string, string> Attributes)
{
    public string? this[string attribute] => Attributes.GetValueOrDefault(attribute);

    public override string ToString() =>
        $"{Resource} {Scope} {Name} {string.Join(' ', Attributes.Where(a => a.Key.StartsWith("s3.", StringComparison.Ordinal) || a.Key.StartsWith("overlay.", StringComparison.Ordinal)).Select(a => $"{a.Key}={a.Value}"))}";
}

/// <summary>
/// The spans the running app sent to the Aspire dashboard, read back through the dashboard's telemetry
/// HTTP API (<c>/api/telemetry/spans?resource=NAME</c>, OTLP JSON): what a person sees under Traces.
/// </summary>
public sealed class DashboardSpans(HttpClient dashboard)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public async Task<IReadOnlyList<DashboardSpan>> OfAsync(string resource, CancellationToken cancellationToken)
    {
        using var response = await dashboard.GetAsync($"api/telemetry/spans?resource={Uri.EscapeDataString(resource)}&limit=5000", cancellationToken);
        // 404 until the resource has sent its first span.
        if (response.StatusCode == HttpStatusCode.NotFound) return [];
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
        List<DashboardSpan> spans = [];
        foreach (var resourceSpans in json.RootElement.GetProperty("data").GetProperty("resourceSpans").EnumerateArray())
        {
            var service = Attributes(resourceSpans.GetProperty("resource")).GetValueOrDefault("service.name") ?? resource;
            foreach (var scopeSpans in resourceSpans.GetProperty("scopeSpans").EnumerateArray())
            {
                var scope = scopeSpans.GetProperty("scope").GetProperty("name").GetString()!;
                foreach (var span in scopeSpans.GetProperty("spans").EnumerateArray())
                    spans.Add(new(service, scope, span.GetProperty("traceId").GetString()!, span.GetProperty("spanId").GetString()!,
                        span.TryGetProperty("parentSpanId", out var parent) ? parent.GetString() : null,
                        span.GetProperty("name").GetString()!, Attributes(span)));
            }
        }
        return spans;
    }

    // The API answers the most recent 200 spans unless asked for more; health probes add a few every 5 s.

    /// <summary>
    /// The spans of <paramref name="resource"/> once <paramref name="complete"/> holds for them: spans are
    /// exported in batches (every second in Development), so the latest request's may not be there yet.
    /// </summary>
    public async Task<IReadOnlyList<DashboardSpan>> WaitForAsync(string resource, Func<IReadOnlyList<DashboardSpan>, bool> complete, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var spans = await OfAsync(resource, cancellationToken);
            if (complete(spans)) return spans;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"The dashboard did not have the expected spans of {resource} after {Patience.TotalSeconds:0} s; it has:\n{string.Join('\n', spans)}");
            await Task.Delay(250, cancellationToken);
        }
    }

    private static Dictionary<string, string> Attributes(JsonElement owner)
    {
        Dictionary<string, string> attributes = [];
        if (!owner.TryGetProperty("attributes", out var list)) return attributes;
        foreach (var attribute in list.EnumerateArray())
        {
            // OTLP JSON: {"key": k, "value": {"stringValue": "..."}} (intValue as a string, boolValue as a bool).
            var value = attribute.GetProperty("value").EnumerateObject().FirstOrDefault().Value;
            attributes[attribute.GetProperty("key").GetString()!] = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        }
        return attributes;
    }
}
