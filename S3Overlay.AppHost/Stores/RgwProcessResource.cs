using System.Reflection;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace S3Overlay.AppHost.Stores;

/// <summary>
/// A production S3 server without containers: Ceph's RADOS Gateway over a throw-away single-node
/// cluster (one monitor, one OSD keeping objects in RAM), run by the tests' own script
/// (build/rgw/rgw-cluster.sh) in a folder of its own. It stands where a MinIO container would, with
/// the same resource name, endpoint name and connection string; its one S3 user signs with the
/// store's credentials.
/// </summary>
public sealed class RgwProcessResource(string name, string dataFolder, ParameterResource accessKey, ParameterResource secretKey)
    : S3StoreProcessResource(name, "bash", Path.GetDirectoryName(dataFolder)!, dataFolder, accessKey, secretKey)
{
    /// <summary>build/rgw/rgw-cluster.sh of the checkout this AppHost was built from (S3Overlay.AppHost.csproj records it).</summary>
    public static string ClusterScript { get; } =
        typeof(RgwProcessResource).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "S3OverlayRgwScript")?.Value
        ?? throw new InvalidOperationException("The AppHost was built without the RGW script's path (S3OverlayRgwScript).");

    /// <summary>The Ceph programs the script runs (Debian: ceph-mon ceph-osd radosgw ceph-common).</summary>
    private static readonly string[] Programs = ["ceph-mon", "ceph-osd", "radosgw", "radosgw-admin", "monmaptool", "ceph"];

    /// <summary>Whether every Ceph program the script needs is on PATH; else the missing one.</summary>
    public static (bool Installed, string Description) Probe()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var program in Programs)
            if (!path.Any(folder => File.Exists(Path.Combine(folder, program))))
                return (false, $"no '{program}' on PATH");
        return (true, "Ceph RGW is installed");
    }
}

public static class RgwProcessExtensions
{
    /// <summary>
    /// <c>bash rgw-cluster.sh run FOLDER --detached</c>: a cluster whose gateway listens on the
    /// endpoint's port and whose S3 user has the given keys, healthy once RGW answers a ListBuckets
    /// signed with them (<see cref="SignedS3HealthCheck"/>). A stop's SIGTERM makes the script kill its daemons and remove the folder.
    /// </summary>
    public static IResourceBuilder<RgwProcessResource> AddRgwProcess(this IDistributedApplicationBuilder builder, string name,
        string dataFolder, IResourceBuilder<ParameterResource> accessKey, IResourceBuilder<ParameterResource> secretKey)
    {
        // Its working folder, made when the app starts (tests build models they never start); the
        // script makes the cluster's own folder inside it.
        builder.Eventing.Subscribe<BeforeStartEvent>((_, _) =>
        {
            Directory.CreateDirectory(Path.GetDirectoryName(dataFolder)!);
            return Task.CompletedTask;
        });
        var store = builder.AddResource(new RgwProcessResource(name, dataFolder, accessKey.Resource, secretKey.Resource));
        var endpoint = store.Resource.S3Endpoint;
        var signed = $"{name}_signed_list_buckets";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(signed, _ => new SignedS3HealthCheck(store.Resource), failureStatus: null, tags: null));
        return store
            .WithHttpEndpoint(name: "http")
            .WithArgs(RgwProcessResource.ClusterScript, "run", dataFolder, "--detached")
            .WithEnvironment("RGW_PORT", endpoint.Property(EndpointProperty.TargetPort))
            .WithEnvironment("RGW_ACCESS_KEY", accessKey)
            .WithEnvironment("RGW_SECRET_KEY", secretKey)
            .WithHealthCheck(signed);
    }
}
