using System.Text.RegularExpressions;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Aspire;

/// <summary>
/// The AppHost cannot be built here (no Aspire packages), so these read its source as text and check
/// that it and aspire-manifest.json say the same thing: resource names, references and environment
/// variables, literal values included. A plain text check, deliberately simple: it reads the calls
/// the AppHost makes (AddParameter/AddMinioContainer/AddProject, WithReference, WithEnvironment).
/// </summary>
public class AppHostAgreementTests
{
    private static readonly string AppHostSource = File.ReadAllText(Path.Combine(RepoPaths.Root, "S3Overlay.AppHost", "AppHost.cs"));
    private static readonly AspireManifest Manifest = AspireManifest.Load();

    [Fact]
    public void The_AppHost_declares_the_resources_the_manifest_lists()
    {
        var declared = Regex.Matches(AppHostSource, @"\.(?:AddParameter|AddMinioContainer|AddProject<[\w.]+>)\(""([^""]+)""")
            .Select(m => m.Groups[1].Value).ToArray();

        Assert.Equal(Manifest.Resources.Select(r => r.Key).Order(), declared.Order());
        Assert.Contains("AddProject<Projects.S3Overlay_Proxy>(\"proxy\"", AppHostSource);
        Assert.Equal("S3Overlay.Proxy/S3Overlay.Proxy.csproj", (string?)Manifest.Resource("proxy")["path"]);
        Assert.Contains(@"Include=""..\S3Overlay.Proxy\S3Overlay.Proxy.csproj""", File.ReadAllText(Path.Combine(RepoPaths.Root, "S3Overlay.AppHost", "S3Overlay.AppHost.csproj")));
    }

    [Fact]
    public void Every_reference_in_the_AppHost_is_a_connection_string_and_its_properties_in_the_manifest()
    {
        var env = Manifest.EnvOf("proxy");
        var references = Regex.Matches(AppHostSource, @"\.WithReference\((\w+)\)").Select(m => ResourceNameOf(m.Groups[1].Value)).ToArray();

        Assert.Equal(["minio", "remote"], references);
        foreach (var name in references)
        {
            Assert.Equal($"{{{name}.connectionString}}", env[$"ConnectionStrings__{name}"]);
            foreach (var property in new[] { "HOST", "PORT", "ACCESSKEY", "SECRETKEY", "URI" })
                Assert.True(env.ContainsKey($"{name.ToUpperInvariant()}_{property}"), $"{name.ToUpperInvariant()}_{property} is missing");
        }
        foreach (var waited in Regex.Matches(AppHostSource, @"\.WaitFor\((\w+)\)").Select(m => ResourceNameOf(m.Groups[1].Value)))
            Assert.Contains(waited, references);
    }

    [Fact]
    public void Every_environment_variable_the_AppHost_sets_is_in_the_manifest_with_the_same_value()
    {
        var env = Manifest.EnvOf("proxy");
        var set = Regex.Matches(AppHostSource, @"\.WithEnvironment\(""([^""]+)"",\s*([^\r\n]+?)\)\s*$", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim());

        Assert.True(set.Count >= 12, $"found only {set.Count} WithEnvironment calls: the pattern no longer matches the AppHost");
        foreach (var (name, argument) in set)
        {
            Assert.True(env.TryGetValue(name, out var value), $"{name} is set by the AppHost but not in the manifest");
            Assert.Equal(ExpectedManifestValue(argument), value);
        }
        // And the other way: every proxy setting in the manifest is one the AppHost sets.
        foreach (var name in env.Keys.Where(k => k.StartsWith("S3_OVERLAY_", StringComparison.Ordinal)))
            Assert.True(set.ContainsKey(name), $"{name} is in the manifest but the AppHost does not set it");
    }

    [Fact]
    public void Every_proxy_setting_the_manifest_sets_is_one_the_proxy_reads()
    {
        // The proxy names each setting once, as a string literal, where it reads it (S3Overlay.Proxy/Configuration and friends).
        var proxySource = string.Concat(Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "S3Overlay.Proxy"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal)).Select(File.ReadAllText));
        var settings = Manifest.EnvOf("proxy").Keys.Where(k => k.StartsWith("S3_OVERLAY_", StringComparison.Ordinal)).ToArray();

        Assert.True(settings.Length >= 15, $"only {settings.Length} proxy settings in the manifest");
        Assert.All(settings, name => Assert.True(proxySource.Contains($"\"{name}\"", StringComparison.Ordinal), $"the proxy never reads {name}"));
    }

    [Fact]
    public void The_health_check_is_on_the_proxys_reserved_health_path()
    {
        Assert.Contains(@".WithHttpHealthCheck(""/_overlay/health"")", AppHostSource);
        Assert.True(Manifest.Resource("proxy")["bindings"]!["http"] is not null, "the health check needs the http endpoint");
    }

    /// <summary>What the manifest publisher writes for a WithEnvironment argument as the AppHost spells it.</summary>
    private static string ExpectedManifestValue(string argument)
    {
        if (Regex.Match(argument, @"^""(.*)""$") is { Success: true } literal) return literal.Groups[1].Value;
        if (Regex.Match(argument, @"^(\w+)\.GetEndpoint\(""(\w+)""\)$") is { Success: true } endpoint)
            return $"{{{ResourceNameOf(endpoint.Groups[1].Value)}.bindings.{endpoint.Groups[2].Value}.url}}";
        if (Regex.Match(argument, @"^DemoObjects\.(\w+)(?:\.ToString\(CultureInfo\.InvariantCulture\))?$") is { Success: true } constant)
            return Convert.ToString(typeof(S3Overlay.AppHost.Seeding.DemoObjects).GetField(constant.Groups[1].Value)!.GetValue(null), System.Globalization.CultureInfo.InvariantCulture)!;
        if (Regex.IsMatch(argument, @"^\w+$")) return $"{{{ResourceNameOf(argument)}.value}}";
        throw new InvalidOperationException($"the test does not know what the manifest says for '{argument}'");
    }

    /// <summary>The resource name behind a variable of the AppHost: <c>var minioUser = builder.AddParameter("minio-user"</c>.</summary>
    private static string ResourceNameOf(string variable)
    {
        var match = Regex.Match(AppHostSource, $@"var {variable} = builder\.\w+(?:<[\w.]+>)?\(""([^""]+)""");
        Assert.True(match.Success, $"no resource is assigned to '{variable}' in AppHost.cs");
        return match.Groups[1].Value;
    }
}
