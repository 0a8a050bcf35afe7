using System.Text.Json;
using System.Text.RegularExpressions;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Deployment;

/// <summary>One PromQL query of the dashboard: where it is, and its text as Grafana sends it (with Grafana's variables).</summary>
public sealed record DashboardQuery(string Where, string Expr)
{
    /// <summary>
    /// The query as Grafana sends it to Prometheus: its interval given a value, and each variable
    /// (<c>$job</c>, <c>$instance</c>) as "All" is sent, the dashboard's <c>allValue</c> <c>.*</c>.
    /// </summary>
    public string AsPromQL(string rateInterval = "5m") =>
        GrafanaDashboard.Variable().Replace(Expr.Replace("$__rate_interval", rateInterval, StringComparison.Ordinal), ".*");
}

/// <summary>
/// <c>deploy/grafana/s3overlay.json</c> read as Grafana reads it: every panel's queries and every
/// variable's, and the metric names each of them asks for.
/// </summary>
public static partial class GrafanaDashboard
{
    public static readonly string File = Path.Combine(RepoPaths.Root, "deploy", "grafana", "s3overlay.json");

    public static JsonDocument Load() => JsonDocument.Parse(System.IO.File.ReadAllText(File));

    public static IReadOnlyList<DashboardQuery> PanelQueries(JsonDocument dashboard) =>
        dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(panel => panel.GetProperty("targets").EnumerateArray().Select(target =>
                new DashboardQuery($"panel '{panel.GetProperty("title").GetString()}' {target.GetProperty("refId").GetString()}", target.GetProperty("expr").GetString()!)))
            .ToList();

    /// <summary>The variables' <c>label_values(metric{...}, label)</c> queries, as the PromQL selector they run.</summary>
    public static IReadOnlyList<DashboardQuery> VariableQueries(JsonDocument dashboard) =>
        dashboard.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray()
            .Where(v => v.GetProperty("type").GetString() == "query")
            .Select(v => new DashboardQuery($"variable ${v.GetProperty("name").GetString()}",
                LabelValues().Match(v.GetProperty("query").GetProperty("query").GetString()!) is { Success: true } m
                    ? m.Groups["selector"].Value
                    : throw new Xunit.Sdk.XunitException($"variable {v.GetProperty("name")} is not a label_values(selector, label) query")))
            .ToList();

    /// <summary>
    /// The metric names a PromQL expression selects: its identifiers, less what is not a metric
    /// (strings, label matchers, ranges, grouping labels, functions, keywords).
    /// </summary>
    public static IReadOnlySet<string> MetricNames(string promql)
    {
        var text = Strings().Replace(promql, "\"\"");
        text = Braces().Replace(text, "");
        text = Ranges().Replace(text, "");
        text = Grouping().Replace(text, "");
        return Identifiers().Matches(text).Select(m => m.Value).Where(name => !Keywords.Contains(name)).ToHashSet();
    }

    private static readonly HashSet<string> Keywords = ["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan"];

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Braces();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    /// <summary>A name that is not called: a function is followed by its parenthesis.</summary>
    [GeneratedRegex(@"(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*\b(?!\s*\()")]
    private static partial Regex Identifiers();

    [GeneratedRegex(@"\$[a-zA-Z_]\w*")]
    internal static partial Regex Variable();

    [GeneratedRegex(@"^label_values\((?<selector>[^,]+),\s*[a-zA-Z_][a-zA-Z0-9_]*\)$")]
    private static partial Regex LabelValues();
}
