using S3Overlay.AppHost.Stores;

// GetEnvironmentVariableValuesAsync / GetArgumentValuesAsync are marked obsolete in favour of
// ExecutionConfigurationBuilder, which needs a running app's execution context: for a model that is
// never started, with values as the manifest writes them (Publish), they are still the direct way.
#pragma warning disable CS0618

namespace S3Overlay.AppHost.Tests;

/// <summary>
/// The app model each store mode builds, read without starting anything: the same resource names
/// and the same settings for the proxy, MinIO containers or <c>s3overlay serve</c> processes under them.
/// </summary>
public class StoreModeTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Containers_mode_runs_two_MinIO_containers_with_their_credentials_and_probe()
    {
        var model = await ModelAsync("containers");

        foreach (var (name, user, password) in new[] { ("minio", "minio-user", "minio-password"), ("remote", "remote-user", "remote-password") })
        {
            var minio = Assert.IsType<MinioResource>(model.Single(r => r.Name == name));
            var image = Assert.Single(minio.Annotations.OfType<ContainerImageAnnotation>());
            Assert.Equal(("docker.io", "minio/minio", MinioResource.Tag), (image.Registry, image.Image, image.Tag));
            var endpoints = minio.Annotations.OfType<EndpointAnnotation>().ToDictionary(e => e.Name, e => e.TargetPort);
            Assert.Equal(new Dictionary<string, int?> { ["http"] = 9000, ["console"] = 9001 }, endpoints);
            var env = await minio.GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Publish);
            Assert.Equal($"{{{user}.value}}", env["MINIO_ROOT_USER"]);
            Assert.Equal($"{{{password}.value}}", env["MINIO_ROOT_PASSWORD"]);
            Assert.Equal(["server", "/data", "--console-address", ":9001"], await minio.GetArgumentValuesAsync(DistributedApplicationOperation.Publish));
            Assert.Contains(minio.Annotations.OfType<HealthCheckAnnotation>(), h => h.Key.Contains("/minio/health/live"));
            Assert.Equal($"Endpoint=http://{{{name}.bindings.http.host}}:{{{name}.bindings.http.port}};AccessKey={{{user}.value}};SecretKey={{{password}.value}}",
                minio.ConnectionStringExpression.ValueExpression);
        }
        await AssertProxySettingsAsync(model);
    }

    [Fact]
    public async Task Processes_mode_runs_the_stores_as_s3overlay_serve_under_the_same_names()
    {
        var model = await ModelAsync("processes");

        foreach (var name in new[] { "minio", "remote" })
        {
            var store = Assert.IsType<S3ServerProcessResource>(model.Single(r => r.Name == name));
            Assert.Equal("dotnet", store.Command);
            var args = await store.GetArgumentValuesAsync(DistributedApplicationOperation.Publish);
            // (Publish: values as expressions, as nothing is allocated in a model that is not started.)
            Assert.Equal([S3ServerProcessResource.ProxyAssembly, "serve", "--data-dir", store.DataFolder, "--listen", $"http://127.0.0.1:{{{name}.bindings.http.targetPort}}"], args);
            Assert.True(File.Exists(S3ServerProcessResource.ProxyAssembly), S3ServerProcessResource.ProxyAssembly);
            Assert.EndsWith(Path.DirectorySeparatorChar + name, store.DataFolder);
        }
        Assert.DoesNotContain(model, r => r is ContainerResource);
        await AssertProxySettingsAsync(model);
    }

    [Fact]
    public async Task Rgw_mode_runs_the_stores_as_Ceph_clusters_under_the_same_names()
    {
        var (installed, why) = RgwProcessResource.Probe();
        Assert.SkipUnless(installed, $"S3Overlay:Stores=rgw refuses to start without Ceph: {why}");
        var model = await ModelAsync("rgw");

        foreach (var (name, user, password) in new[] { ("minio", "minio-user", "minio-password"), ("remote", "remote-user", "remote-password") })
        {
            var store = Assert.IsType<RgwProcessResource>(model.Single(r => r.Name == name));
            Assert.Equal("bash", store.Command);
            Assert.Equal([RgwProcessResource.ClusterScript, "run", store.DataFolder, "--detached"], await store.GetArgumentValuesAsync(DistributedApplicationOperation.Publish));
            Assert.True(File.Exists(RgwProcessResource.ClusterScript), RgwProcessResource.ClusterScript);
            var env = await store.GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Publish);
            Assert.Equal($"{{{name}.bindings.http.targetPort}}", env["RGW_PORT"]);
            Assert.Equal($"{{{user}.value}}", env["RGW_ACCESS_KEY"]);
            Assert.Equal($"{{{password}.value}}", env["RGW_SECRET_KEY"]);
            Assert.EndsWith(Path.DirectorySeparatorChar + name, store.DataFolder);
        }
        Assert.DoesNotContain(model, r => r is ContainerResource);
        await AssertProxySettingsAsync(model);
    }

    [Fact]
    public void Auto_chooses_containers_when_a_container_runtime_answers_else_RGW_where_installed()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build();
        var (mode, reason) = StoreModeSetting.Resolve(configuration, publishing: false);

        Assert.Equal(ContainerRuntime.Probe().Answers ? StoreMode.Containers
            : RgwProcessResource.Probe().Installed ? StoreMode.Rgw : StoreMode.Processes, mode);
        Assert.Contains("auto", reason);
        Assert.Equal(StoreMode.Containers, StoreModeSetting.Resolve(configuration, publishing: true).Mode);
    }

    /// <summary>Whatever runs the stores, the proxy is told the same: both stores' endpoints and credentials, by reference.</summary>
    private static async Task AssertProxySettingsAsync(IReadOnlyList<IResource> model)
    {
        var proxy = Assert.IsType<ProjectResource>(model.Single(r => r.Name == "proxy"));
        var env = await proxy.GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Publish);
        Assert.Equal("{minio.bindings.http.url}", env["S3_OVERLAY_LOCAL_ENDPOINT"]);
        Assert.Equal("{remote.bindings.http.url}", env["S3_OVERLAY_REMOTE_ENDPOINT"]);
        Assert.Equal("{minio.connectionString}", env["ConnectionStrings__minio"]);
        Assert.Equal("{remote.connectionString}", env["ConnectionStrings__remote"]);
        Assert.Equal("{remote-password.value}", env["S3_OVERLAY_REMOTE_SECRET_ACCESS_KEY"]);
        Assert.Equal("{proxy-secret-key.value}", env["S3_OVERLAY_SECRET_KEY"]);
        Assert.Equal("demo:demo-origin", env["S3_OVERLAY_BUCKET_MAPPING"]);
        Assert.Equal(8000, proxy.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == "http").Port);
        var waits = proxy.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name).Order();
        Assert.Equal(["minio", "remote"], waits);
    }

    /// <summary>The resources the AppHost declares in that mode: its builder's, not built into an app (nothing to start or stop).</summary>
    private static async Task<IReadOnlyList<IResource>> ModelAsync(string mode)
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.S3Overlay_AppHost>([$"--S3Overlay:Stores={mode}"], Cancellation);
        return [.. builder.Resources];
    }
}
