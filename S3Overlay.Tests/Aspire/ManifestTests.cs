using System.Text.Json.Nodes;
using S3Overlay.AppHost.Seeding;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Aspire;

/// <summary>
/// aspire-manifest.json, checked offline: the schema Aspire publishes, known resource types, every
/// expression pointing at something declared, and every setting the proxy needs.
/// </summary>
public class ManifestTests
{
    private static readonly AspireManifest Manifest = AspireManifest.Load();

    private static readonly string[] KnownTypes = ["container.v0", "container.v1", "project.v0", "project.v1", "parameter.v0", "value.v0", "executable.v0"];
    private static readonly string[] BindingProperties = ["url", "host", "port", "targetPort", "scheme"];

    /// <summary>The schema Aspire's manifests declare (json.schemastore.org/aspire-8.0.json), kept beside the tests so they never skip it.</summary>
    private static readonly string SchemaPath = Path.Combine(RepoPaths.TestsProject, "Aspire", "Schemas", "aspire-8.0.json");

    [Fact]
    public void Manifest_is_valid_against_Aspires_schema_and_the_validator_can_tell()
    {
        var schema = new JsonSchemaSubset(JsonNode.Parse(File.ReadAllText(SchemaPath))!.AsObject());

        Assert.Empty(schema.Errors(Manifest.Root));

        // The same manifest broken in two ways the schema forbids: the validator must notice both.
        var broken = Manifest.Root.DeepClone().AsObject();
        broken["resources"]!["minio"]!["bindings"]!["http"]!["protocol"] = "sctp";
        broken["resources"]!["proxy"]!.AsObject().Remove("path");
        var errors = schema.Errors(broken);
        Assert.Contains(errors, e => e.Contains("resources.minio"));
        Assert.Contains(errors, e => e.Contains("resources.proxy"));
    }

    [Fact]
    public void Every_resource_has_a_known_type_and_the_fields_its_type_requires()
    {
        Assert.Equal(["minio-user", "minio-password", "remote-user", "remote-password", "proxy-access-key", "proxy-secret-key", "minio", "remote", "proxy"], Manifest.Resources.Select(r => r.Key));
        foreach (var (name, _) in Manifest.Resources)
        {
            var type = Manifest.TypeOf(name);
            Assert.Contains(type, KnownTypes);
            var resource = Manifest.Resource(name);
            string[] required = type switch
            {
                "container.v0" => ["image", "bindings"],
                "project.v0" => ["path", "bindings"],
                "parameter.v0" => ["value", "inputs"],
                _ => [],
            };
            foreach (var field in required) Assert.True(resource.ContainsKey(field), $"{name} ({type}) has no '{field}'");
        }
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, (string)Manifest.Resource("proxy")["path"]!)), "the proxy's project path resolves from the manifest's folder");
    }

    [Fact]
    public void Every_expression_refers_to_a_declared_resource_binding_or_parameter()
    {
        var checkedCount = 0;
        foreach (var (path, value) in Manifest.AllStrings())
        foreach (var expression in AspireManifest.ExpressionsIn(value))
        {
            var parts = expression.Split('.');
            Assert.True(Manifest.Resources.ContainsKey(parts[0]), $"{path}: '{{{expression}}}' names no resource");
            var resource = Manifest.Resource(parts[0]);
            var type = Manifest.TypeOf(parts[0]);
            switch (parts[1..])
            {
                case ["connectionString"]:
                    Assert.True(resource.ContainsKey("connectionString"), $"{path}: {parts[0]} has no connection string");
                    break;
                case ["value"] or ["inputs", "value"]:
                    Assert.True(type == "parameter.v0", $"{path}: '{{{expression}}}' reads a value of a {type}");
                    break;
                case ["bindings", var binding, var property]:
                    Assert.True(resource["bindings"]?[binding] is not null, $"{path}: {parts[0]} has no binding '{binding}'");
                    Assert.Contains(property, BindingProperties);
                    break;
                default:
                    Assert.Fail($"{path}: '{{{expression}}}' is not an expression Aspire writes");
                    break;
            }
            checkedCount++;
        }
        Assert.True(checkedCount > 30, $"only {checkedCount} expressions found: the scan is not reading the manifest");
    }

    [Fact]
    public void Passwords_are_generated_secrets_and_no_secret_is_written_out()
    {
        foreach (var name in new[] { "minio-password", "remote-password", "proxy-secret-key" })
        {
            var input = Manifest.Resource(name)["inputs"]!["value"]!;
            Assert.True((bool)input["secret"]!);
            Assert.True((int)input["default"]!["generate"]!["minLength"]! >= 22);
        }
        // Every place a password appears is an expression, never a literal value.
        var passwordVariables = new[] { "MINIO_ROOT_PASSWORD", "MINIO_SECRETKEY", "REMOTE_SECRETKEY", "S3_OVERLAY_SECRET_KEY", "S3_OVERLAY_LOCAL_SECRET_KEY", "S3_OVERLAY_REMOTE_SECRET_ACCESS_KEY" };
        var secrets = Manifest.AllStrings().Where(s => passwordVariables.Any(v => s.Path.EndsWith("." + v, StringComparison.Ordinal))).ToList();
        Assert.Equal(7, secrets.Count); // MINIO_ROOT_PASSWORD twice (both MinIOs), the others once
        foreach (var (_, value) in secrets)
            Assert.Matches(@"^\{[a-z-]+-(password|secret-key)\.value\}$", value);
    }

    [Fact]
    public void The_proxy_gets_every_setting_it_needs_pointing_at_the_right_minio()
    {
        var env = Manifest.EnvOf("proxy");

        // Clients sign with their own credentials: without them the proxy will not listen beyond loopback.
        Assert.Equal("{proxy-access-key.value}", env["S3_OVERLAY_ACCESS_KEY"]);
        Assert.Equal("{proxy-secret-key.value}", env["S3_OVERLAY_SECRET_KEY"]);

        // The local store is the "minio" container, the remote is "remote", each with its own credentials.
        Assert.Equal("{minio.bindings.http.url}", env["S3_OVERLAY_LOCAL_ENDPOINT"]);
        Assert.Equal("{minio-user.value}", env["S3_OVERLAY_LOCAL_ACCESS_KEY"]);
        Assert.Equal("{minio-password.value}", env["S3_OVERLAY_LOCAL_SECRET_KEY"]);
        Assert.Equal("{remote.bindings.http.url}", env["S3_OVERLAY_REMOTE_ENDPOINT"]);
        Assert.Equal("{remote-user.value}", env["S3_OVERLAY_REMOTE_ACCESS_KEY_ID"]);
        Assert.Equal("{remote-password.value}", env["S3_OVERLAY_REMOTE_SECRET_ACCESS_KEY"]);
        Assert.Equal("path", env["S3_OVERLAY_REMOTE_ADDRESSING_STYLE"]);
        Assert.Equal("true", env["S3_OVERLAY_CACHE_ENABLED"]);
        Assert.Equal(DemoObjects.BucketMapping, env["S3_OVERLAY_BUCKET_MAPPING"]);
        Assert.True(long.Parse(env["S3_OVERLAY_CHUNK_THRESHOLD"]) >= long.Parse(env["S3_OVERLAY_CHUNK_SIZE"]), "the proxy refuses a threshold below the chunk size");
        Assert.True(DemoObjects.LargeSize > long.Parse(env["S3_OVERLAY_CHUNK_THRESHOLD"]), "the large demo object is chunked");

        // The containers' own credentials are the same parameters the proxy is given.
        Assert.Equal(env["S3_OVERLAY_LOCAL_ACCESS_KEY"], Manifest.EnvOf("minio")["MINIO_ROOT_USER"]);
        Assert.Equal(env["S3_OVERLAY_REMOTE_SECRET_ACCESS_KEY"], Manifest.EnvOf("remote")["MINIO_ROOT_PASSWORD"]);

        // Where it listens, and the connection strings WithReference adds.
        Assert.Equal("{proxy.bindings.http.targetPort}", env["HTTP_PORTS"]);
        // ...under the names the proxy looks them up by.
        Assert.Equal("{minio.connectionString}", env[$"ConnectionStrings__{env["S3_OVERLAY_LOCAL_CONNECTION_NAME"]}"]);
        Assert.Equal("{remote.connectionString}", env[$"ConnectionStrings__{S3Overlay.Configuration.RemoteStoreSettings.ConnectionName}"]);
    }
}
