using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Aspire;

/// <summary>
/// aspire-manifest.json as data: its resources, the <c>{resource.path}</c> expressions in its values,
/// and their resolution against concrete servers (what a deployment tool does with it).
/// </summary>
public sealed partial class AspireManifest(JsonObject root)
{
    public static string PathInRepo => Path.Combine(RepoPaths.Root, "aspire-manifest.json");

    public static AspireManifest Load() => new(JsonNode.Parse(File.ReadAllText(PathInRepo))!.AsObject());

    public JsonObject Root { get; } = root;
    public JsonObject Resources => Root["resources"]!.AsObject();
    public JsonObject Resource(string name) => Resources[name]?.AsObject() ?? throw new KeyNotFoundException($"no resource '{name}'");
    public string TypeOf(string name) => (string)Resource(name)["type"]!;

    public IReadOnlyDictionary<string, string> EnvOf(string name) =>
        Resource(name)["env"]?.AsObject().ToDictionary(p => p.Key, p => (string)p.Value!) ?? [];

    /// <summary>Every string value anywhere in the manifest, with its JSON path (for error messages).</summary>
    public IEnumerable<(string Path, string Value)> AllStrings() => Strings(Resources);

    private static IEnumerable<(string, string)> Strings(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Strings(p.Value)),
        JsonArray a => a.SelectMany(Strings),
        JsonValue v when v.TryGetValue<string>(out var s) => [(v.GetPath(), s)],
        _ => [],
    };

    /// <summary>The expressions in a value: <c>"http://{minio.bindings.http.host}:{minio.bindings.http.port}"</c> has two.</summary>
    public static IEnumerable<string> ExpressionsIn(string value) => Expression().Matches(value).Select(m => m.Groups[1].Value);

    /// <summary>
    /// Replaces every expression in <paramref name="value"/> the way a deployment tool would: a
    /// connection string or parameter value is itself resolved, parameter inputs come from
    /// <paramref name="inputs"/>, bindings from <paramref name="bindings"/> (resource.binding → URL).
    /// </summary>
    public string Resolve(string value, IReadOnlyDictionary<string, string> inputs, IReadOnlyDictionary<string, Uri> bindings) =>
        Expression().Replace(value, m =>
        {
            var parts = m.Groups[1].Value.Split('.');
            var resource = parts[0];
            return parts[1..] switch
            {
                ["connectionString"] => Resolve((string)Resource(resource)["connectionString"]!, inputs, bindings),
                ["value"] => Resolve((string)Resource(resource)["value"]!, inputs, bindings),
                ["inputs", "value"] => inputs[resource],
                ["bindings", var binding, var property] => BindingProperty(bindings[$"{resource}.{binding}"], property),
                _ => throw new InvalidOperationException($"cannot resolve {m.Value}"),
            };
        });

    private static string BindingProperty(Uri url, string property) => property switch
    {
        "url" => url.GetLeftPart(UriPartial.Authority),
        "host" => url.Host,
        "port" or "targetPort" => url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "scheme" => url.Scheme,
        _ => throw new InvalidOperationException($"unknown binding property {property}"),
    };

    [GeneratedRegex(@"\{([^{}]+)\}")]
    private static partial Regex Expression();
}
