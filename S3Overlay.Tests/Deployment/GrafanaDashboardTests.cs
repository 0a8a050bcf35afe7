using System.Text.Json;
using S3Overlay.Tests.Clients;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Overlay;
using S3Overlay.Tests.Telemetry.Prometheus;

namespace S3Overlay.Tests.Deployment;

/// <summary>
/// <c>deploy/grafana/s3overlay.json</c> loads as a Grafana dashboard, every query is PromQL that
/// Prometheus's own checker accepts, and every metric it names is one the server exports: the
/// names come from a real scrape after real traffic, not from a list kept beside the dashboard.
/// </summary>
[ConformanceTests]
public sealed class GrafanaDashboardTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    [Fact]
    public void The_dashboard_loads_with_a_query_in_every_panel_and_a_panel_for_each_subject()
    {
        using var dashboard = GrafanaDashboard.Load();
        var root = dashboard.RootElement;
        Assert.Equal("s3overlay", root.GetProperty("uid").GetString());
        Assert.True(root.GetProperty("schemaVersion").GetInt32() >= 36, "a dashboard of Grafana 9 or later");
        var panels = root.GetProperty("panels").EnumerateArray().ToList();
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        Assert.All(panels, p =>
        {
            Assert.NotEmpty(p.GetProperty("targets").EnumerateArray());
            Assert.Equal("${datasource}", p.GetProperty("datasource").GetProperty("uid").GetString());
            var grid = p.GetProperty("gridPos");
            Assert.InRange(grid.GetProperty("x").GetInt32() + grid.GetProperty("w").GetInt32(), 1, 24);
        });
        var titles = panels.Select(p => p.GetProperty("title").GetString()).ToList();
        foreach (var subject in new[] { "Reads by result", "Hit ratio", "Bytes served by source", "Fills in flight", "Fill latency", "Cache size", "Remote errors" })
            Assert.Contains(subject, titles);
    }

    [Fact]
    public async Task Every_query_names_only_metrics_the_server_exports()
    {
        await using var run = await ScrapedOverlay.RunAsync(servers);
        var exported = run.After.SampleNames;
        using var dashboard = GrafanaDashboard.Load();
        var queries = GrafanaDashboard.PanelQueries(dashboard).Concat(GrafanaDashboard.VariableQueries(dashboard)).ToList();
        var named = new HashSet<string>();
        foreach (var query in queries)
        {
            var names = GrafanaDashboard.MetricNames(query.Expr);
            Assert.True(names.Count > 0, $"{query.Where} names no metric: {query.Expr}");
            foreach (var name in names)
                Assert.True(exported.Contains(name), $"{query.Where} asks for {name}, which the server does not export: {query.Expr}");
            named.UnionWith(names);
        }
        // The overlay's own metrics are all on the dashboard.
        foreach (var overlay in exported.Where(n => n.StartsWith("overlay_") && !n.EndsWith("_sum") && !n.EndsWith("_count") && !n.EndsWith("_created")))
            Assert.True(named.Contains(overlay), $"{overlay} is exported but on no panel");
    }

    [Fact]
    public async Task A_Prometheus_server_scraping_the_overlay_answers_every_query_with_the_overlays_figures()
    {
        await using var run = await ScrapedOverlay.RunAsync(servers);
        await using var prometheus = await PrometheusServer.StartAsync(run.Environment.Proxy.Url);
        using var dashboard = GrafanaDashboard.Load();
        var queries = GrafanaDashboard.PanelQueries(dashboard).Concat(GrafanaDashboard.VariableQueries(dashboard)).ToList();
        // Two scrapes at least after the traffic, so that every rate has two points in its window.
        var answers = new Dictionary<DashboardQuery, IReadOnlyList<JsonElement>>();
        await Polling.EventuallyAsync(async () =>
        {
            foreach (var query in queries.Where(q => !answers.ContainsKey(q)))
                if (await prometheus.QueryAsync(query.AsPromQL("1m")) is { Count: > 0 } result) answers[query] = result;
            return answers.Count == queries.Count && (await prometheus.QueryAsync($"count_over_time(up{{job=\"{PrometheusServer.Job}\"}}[1m])")) is [var up] && Number(up) >= 2;
        }, "every dashboard query has an answer: " + string.Join("; ", queries.Where(q => !answers.ContainsKey(q)).Select(q => q.Where)));

        // The variables find the job and the replica; the panels show what the overlay counted.
        Assert.Equal(PrometheusServer.Job, Assert.Single(answers[queries.Single(q => q.Where == "variable $job")]).GetProperty("metric").GetProperty("job").GetString());
        Assert.Equal(run.CacheSizeShown, Number(Assert.Single(answers[queries.Single(q => q.Where == "panel 'Cache size' A")])));
        Assert.Equal(0, Number(Assert.Single(answers[queries.Single(q => q.Where == "panel 'Fills in flight' A")])));
        var results = (await prometheus.QueryAsync($"sum by (overlay_result) (overlay_requests_total{{job=\"{PrometheusServer.Job}\"}})"))
            .ToDictionary(r => r.GetProperty("metric").GetProperty("overlay_result").GetString()!, Number);
        Assert.Equal(new Dictionary<string, double> { ["remote_fill"] = 2, ["local_hit"] = 1, ["miss"] = 1 }, results);
        Assert.Equal(["error_answer"], answers[queries.Single(q => q.Where == "panel 'Remote errors' A")].Select(r => r.GetProperty("metric").GetProperty("error_type").GetString()));
    }

    /// <summary>An instant query's sample value (Prometheus sends it as a string: "NaN", "+Inf" too).</summary>
    private static double Number(JsonElement series) =>
        double.Parse(series.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void The_metric_names_are_read_from_a_query_as_PromQL_means_them()
    {
        Assert.Equal(["overlay_fill_duration_seconds_bucket"], GrafanaDashboard.MetricNames(
            "histogram_quantile(0.95, sum by (le) (rate(overlay_fill_duration_seconds_bucket{job=~\"$job\", le!=\"x{y}\"}[$__rate_interval])))"));
        Assert.Equal(["a_total", "b:rate5m"], GrafanaDashboard.MetricNames("sum without (instance) (a_total) / on (job) group_left (x) b:rate5m offset 5m > bool 0"));
    }

    [Fact]
    public async Task Prometheus_checks_every_query_as_valid_PromQL()
    {
        using var dashboard = GrafanaDashboard.Load();
        var queries = GrafanaDashboard.PanelQueries(dashboard).Concat(GrafanaDashboard.VariableQueries(dashboard)).ToList();
        // promtool parses a rules file's expressions with Prometheus's own parser: one recording rule per query.
        var rules = new { groups = new[] { new { name = "dashboard", rules = queries.Select((q, i) => new { record = $"dashboard:query_{i}", expr = q.AsPromQL() }) } } };
        using var promtool = new ClientProcess();
        var file = promtool.WriteFile("dashboard-rules.yml", JsonSerializer.Serialize(rules)); // JSON is YAML
        var output = await promtool.RunAsync("/usr/bin/promtool", "check", "rules", file);
        Assert.Contains($"SUCCESS: {queries.Count} rules found", output);
    }
}
