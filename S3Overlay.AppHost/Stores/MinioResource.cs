namespace S3Overlay.AppHost.Stores;

/// <summary>
/// A MinIO server in a container, written on Aspire.Hosting's own container API (the community
/// toolkit's MinIO integration is not on every package feed, and it is marked obsolete since MinIO's
/// open-source project was archived). Same image, ports, variables and probe as that integration.
/// </summary>
public sealed class MinioResource(string name, ParameterResource rootUser, ParameterResource rootPassword)
    : ContainerResource(name), IS3StoreResource
{
    public const string Image = "minio/minio";
    public const string Registry = "docker.io";
    public const string Tag = "RELEASE.2025-09-07T16-13-09Z";
    public const int ApiPort = 9000;
    public const int ConsolePort = 9001;
    public const string ConsoleEndpointName = "console";

    public EndpointReference S3Endpoint => field ??= new(this, "http");

    public ParameterResource AccessKey { get; } = rootUser;

    public ParameterResource SecretKey { get; } = rootPassword;

    public ReferenceExpression ConnectionStringExpression => S3StoreConnection.ConnectionString(this);

    IEnumerable<KeyValuePair<string, ReferenceExpression>> IResourceWithConnectionString.GetConnectionProperties() =>
        S3StoreConnection.Properties(this);
}

public static class MinioResourceExtensions
{
    /// <summary>
    /// MinIO with its S3 API on "http" (9000 inside) and its web console on "console" (9001 inside),
    /// healthy once <c>/minio/health/live</c> answers 200.
    /// </summary>
    public static IResourceBuilder<MinioResource> AddMinio(this IDistributedApplicationBuilder builder, string name,
        IResourceBuilder<ParameterResource> rootUser, IResourceBuilder<ParameterResource> rootPassword) =>
        builder.AddResource(new MinioResource(name, rootUser.Resource, rootPassword.Resource))
            .WithImage(MinioResource.Image, MinioResource.Tag)
            .WithImageRegistry(MinioResource.Registry)
            .WithHttpEndpoint(targetPort: MinioResource.ApiPort, name: "http")
            .WithHttpEndpoint(targetPort: MinioResource.ConsolePort, name: MinioResource.ConsoleEndpointName)
            .WithEnvironment("MINIO_ROOT_USER", rootUser)
            .WithEnvironment("MINIO_ROOT_PASSWORD", rootPassword)
            .WithArgs("server", "/data", "--console-address", $":{MinioResource.ConsolePort}")
            .WithHttpHealthCheck("/minio/health/live", endpointName: "http");
}
