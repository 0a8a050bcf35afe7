namespace S3Overlay.AppHost.Stores;

/// <summary>
/// What the proxy needs of a store, whichever kind runs it (a MinIO container or an
/// <c>s3overlay serve</c> process): an S3 endpoint and the credentials it accepts. Its connection
/// string has the form the proxy reads, <c>Endpoint=http://host:port;AccessKey=...;SecretKey=...</c>,
/// and WithReference also passes each part as <c>NAME_HOST</c>, <c>NAME_PORT</c>, <c>NAME_ACCESSKEY</c>,
/// <c>NAME_SECRETKEY</c> and <c>NAME_URI</c>, as Aspire's own S3 integrations do.
/// </summary>
public interface IS3StoreResource : IResourceWithConnectionString, IResourceWithEndpoints, IResourceWithWaitSupport
{
    /// <summary>The S3 API endpoint ("http").</summary>
    EndpointReference S3Endpoint { get; }

    ParameterResource AccessKey { get; }

    ParameterResource SecretKey { get; }
}

/// <summary>
/// A store the AppHost runs as a process of its own in a folder of its own (<c>s3overlay serve</c>,
/// a Ceph RGW cluster): its endpoint ("http"), credentials and connection string, as a MinIO
/// container's.
/// </summary>
public abstract class S3StoreProcessResource(string name, string command, string workingDirectory, string dataFolder, ParameterResource accessKey, ParameterResource secretKey)
    : ExecutableResource(name, command, workingDirectory), IS3StoreResource
{
    public string DataFolder { get; } = dataFolder;

    public EndpointReference S3Endpoint => field ??= new(this, "http");

    public ParameterResource AccessKey { get; } = accessKey;

    public ParameterResource SecretKey { get; } = secretKey;

    public ReferenceExpression ConnectionStringExpression => S3StoreConnection.ConnectionString(this);

    IEnumerable<KeyValuePair<string, ReferenceExpression>> IResourceWithConnectionString.GetConnectionProperties() =>
        S3StoreConnection.Properties(this);
}

/// <summary>The connection string and its properties, the same for every <see cref="IS3StoreResource"/>.</summary>
internal static class S3StoreConnection
{
    public static ReferenceExpression ConnectionString(IS3StoreResource store) =>
        ReferenceExpression.Create($"Endpoint={Uri(store)};AccessKey={store.AccessKey};SecretKey={store.SecretKey}");

    public static IEnumerable<KeyValuePair<string, ReferenceExpression>> Properties(IS3StoreResource store) =>
    [
        new("Host", ReferenceExpression.Create($"{store.S3Endpoint.Property(EndpointProperty.Host)}")),
        new("Port", ReferenceExpression.Create($"{store.S3Endpoint.Property(EndpointProperty.Port)}")),
        new("AccessKey", ReferenceExpression.Create($"{store.AccessKey}")),
        new("SecretKey", ReferenceExpression.Create($"{store.SecretKey}")),
        new("Uri", Uri(store)),
    ];

    private static ReferenceExpression Uri(IS3StoreResource store) =>
        ReferenceExpression.Create($"http://{store.S3Endpoint.Property(EndpointProperty.Host)}:{store.S3Endpoint.Property(EndpointProperty.Port)}");
}
