using System.Reflection;

namespace S3Overlay.AppHost.Stores;

/// <summary>
/// An S3 store without containers: the project's own <c>s3overlay serve</c> (the proxy's program, its
/// embedded file-system store and nothing else) as a process on a folder of its own. It stands where a
/// MinIO container would, with the same resource name, endpoint name and connection string.
/// </summary>
public sealed class S3ServerProcessResource(string name, string dataFolder, ParameterResource accessKey, ParameterResource secretKey)
    : S3StoreProcessResource(name, "dotnet", dataFolder, dataFolder, accessKey, secretKey)
{
    /// <summary>
    /// The proxy's built assembly, recorded by this project's build (S3Overlay.AppHost.csproj): the store
    /// runs it with <c>dotnet</c> directly, not through <c>dotnet run</c>, which would evaluate the
    /// project on every start and sit as an extra process between the orchestrator and the server.
    /// </summary>
    public static string ProxyAssembly { get; } =
        typeof(S3ServerProcessResource).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "S3OverlayProxyAssembly")?.Value
        ?? throw new InvalidOperationException("The AppHost was built without the proxy's assembly path (S3OverlayProxyAssembly).");
}

public static class S3ServerProcessExtensions
{
    /// <summary>
    /// <c>dotnet S3Overlay.Proxy.dll serve --data-dir FOLDER</c> on loopback, signing with the given
    /// credentials, healthy once its <c>/_overlay/health</c> answers. Its traces go to the dashboard.
    /// </summary>
    public static IResourceBuilder<S3ServerProcessResource> AddS3ServerProcess(this IDistributedApplicationBuilder builder, string name,
        string dataFolder, IResourceBuilder<ParameterResource> accessKey, IResourceBuilder<ParameterResource> secretKey)
    {
        // Made when the app starts, not when the model is built (tests build models they never start).
        builder.Eventing.Subscribe<BeforeStartEvent>((_, _) =>
        {
            Directory.CreateDirectory(dataFolder);
            return Task.CompletedTask;
        });
        var store = builder.AddResource(new S3ServerProcessResource(name, dataFolder, accessKey.Resource, secretKey.Resource));
        var endpoint = store.Resource.S3Endpoint;
        return store
            .WithHttpEndpoint(name: "http")
            .WithArgs(context =>
            {
                context.Args.Add(S3ServerProcessResource.ProxyAssembly);
                context.Args.Add("serve");
                context.Args.Add("--data-dir");
                context.Args.Add(dataFolder);
                context.Args.Add("--listen");
                context.Args.Add(ReferenceExpression.Create($"http://127.0.0.1:{endpoint.Property(EndpointProperty.TargetPort)}"));
            })
            .WithEnvironment("S3_OVERLAY_ACCESS_KEY", accessKey)
            .WithEnvironment("S3_OVERLAY_SECRET_KEY", secretKey)
            .WithOtlpExporter()
            .WithHttpHealthCheck("/_overlay/health", endpointName: "http");
    }
}
