// The S3 Overlay distributed application: the proxy between its local store ("minio") and a remote
// bucket ("remote", seeded with demo objects). The stores are MinIO containers, or, where no container
// runtime answers, Ceph RGW clusters where Ceph is installed, else `s3overlay serve` processes
// (S3Overlay:Stores, see Stores/StoreMode.cs): the same names and the same settings for the proxy
// whichever runs. aspire-manifest.json is what this publishes.
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using S3Overlay.AppHost.Events;
using S3Overlay.AppHost.Seeding;
using S3Overlay.AppHost.Stores;

var builder = DistributedApplication.CreateBuilder(args);
var (mode, reason) = StoreModeSetting.Resolve(builder.Configuration, builder.ExecutionContext.IsPublishMode);

// Passwords are generated secrets of letters and digits (they travel inside ';'-separated connection
// strings), kept in user secrets so a restart does not change them.
var minioUser = builder.AddParameter("minio-user", "minioadmin", publishValueAsDefault: true);
var minioPassword = builder.AddParameter("minio-password", GeneratedPassword(), secret: true, persist: true);
var remoteUser = builder.AddParameter("remote-user", "remoteadmin", publishValueAsDefault: true);
var remotePassword = builder.AddParameter("remote-password", GeneratedPassword(), secret: true, persist: true);

// The credentials S3 clients use with the proxy itself. Without them the proxy falls back to
// minioadmin/minioadmin and refuses to listen beyond loopback, as a deployed container must.
var proxyAccessKey = builder.AddParameter("proxy-access-key", "overlay", publishValueAsDefault: true);
var proxySecretKey = builder.AddParameter("proxy-secret-key", GeneratedPassword(), secret: true, persist: true);

// The process stores' remote announces its changes to the proxy (Events/RemoteEvents.cs), with this
// token: the proxy follows the remote's events rather than trusting its copies until revalidation.
var eventsToken = mode == StoreMode.Containers ? null : builder.AddParameter("remote-events-token", GeneratedPassword(), secret: true, persist: true);
// Where the remote pushes them: the first proxy's endpoint as allocated (a fleet passes each event on). Set below.
ReferenceExpression? eventsInbox = null;

IResourceBuilder<IS3StoreResource> minio, remote;
if (mode == StoreMode.Containers)
{
    minio = builder.AddMinio("minio", minioUser, minioPassword);
    remote = builder.AddMinio("remote", remoteUser, remotePassword);
}
else
{
    // A folder per run and store, removed when the AppHost stops: every run starts with an empty local
    // store and a freshly seeded remote, as the containers (no volumes) do.
    var runFolder = Path.Combine(Path.GetTempPath(), $"s3overlay-apphost-{Environment.ProcessId}");
    if (mode == StoreMode.Rgw)
    {
        minio = builder.AddRgwProcess("minio", Path.Combine(runFolder, "minio"), minioUser, minioPassword);
        remote = builder.AddRgwProcess("remote", Path.Combine(runFolder, "remote"), remoteUser, remotePassword);
    }
    else
    {
        minio = builder.AddS3ServerProcess("minio", Path.Combine(runFolder, "minio"), minioUser, minioPassword);
        remote = builder.AddS3ServerProcess("remote", Path.Combine(runFolder, "remote"), remoteUser, remotePassword)
            .WithEnvironment(context =>
            {
                context.EnvironmentVariables[$"S3_OVERLAY_NOTIFY_WEBHOOK_ENDPOINT_{RemoteEvents.TargetId}"] = eventsInbox!;
                context.EnvironmentVariables[$"S3_OVERLAY_NOTIFY_WEBHOOK_AUTH_TOKEN_{RemoteEvents.TargetId}"] = eventsToken!.Resource;
            });
    }
    builder.Services.AddHostedService(services => new RunFolderCleanup(runFolder, services.GetRequiredService<IHostApplicationLifetime>()));
}
builder.Services.AddHostedService(services => new StoreModeNotice(mode, reason, services.GetRequiredService<ILogger<StoreModeNotice>>()));

// Runs in the AppHost once the remote is healthy; WaitFor(remote) below also waits for it to finish,
// so the proxy starts against a seeded remote. Its log lines show in the remote's console log.
remote.OnResourceReady(async (resource, ready, cancellationToken) =>
{
    var log = ready.Services.GetRequiredService<ResourceLoggerService>().GetLogger(resource);
    var connectionString = await resource.GetConnectionStringAsync(cancellationToken)
        ?? throw new InvalidOperationException("The remote has no connection string.");
    await DemoObjects.SeedAsync(connectionString, line => log.LogInformation("{Seeded}", line), cancellationToken);
    if (eventsToken is not null && eventsInbox is not null)
        await RemoteEvents.NotifyAsync(mode, connectionString, await eventsInbox.GetValueAsync(cancellationToken) ?? "",
            await eventsToken.Resource.GetValueAsync(cancellationToken) ?? "", line => log.LogInformation("{Events}", line), cancellationToken);
});

// No launch profile: the proxy's own default (127.0.0.1:8000 for `dotnet run`) must not leak in. The S3
// endpoint is on a port a person can type (S3Overlay:ProxyPort, 8000 unless set).
// S3Overlay:Replicas (1 unless set) runs a fleet (docs/fleet.md): "proxy" and
// "proxy-2", "proxy-3", ... on the next ports, all over the one local store, each told the others.
var proxyPort = ProxyPort(builder);
var replicas = Replicas(builder);
var peers = string.Join(',', Enumerable.Range(0, replicas).Select(i => $"http://localhost:{proxyPort + i}"));
for (var i = 0; i < replicas; i++)
{
    var proxy = AddProxy(i == 0 ? "proxy" : $"proxy-{i + 1}", proxyPort + i);
    var self = $"http://localhost:{proxyPort + i}";
    if (replicas > 1) proxy.WithEnvironment("S3_OVERLAY_PEERS", peers).WithEnvironment("S3_OVERLAY_PEER_URL", self);
    if (eventsToken is null) continue;
    proxy.WithEnvironment("S3_OVERLAY_REMOTE_EVENTS_TOKEN", eventsToken);
    eventsInbox ??= RemoteEvents.Inbox(proxy.GetEndpoint("http"));
}

IResourceBuilder<ProjectResource> AddProxy(string name, int port) =>
builder.AddProject<Projects.S3Overlay_Proxy>(name, launchProfileName: null)
    .WithHttpEndpoint(port: port, name: "http")
    .WithExternalHttpEndpoints()
    // ConnectionStrings__minio / __remote and MINIO_* / REMOTE_* (host, port, access key, secret key, uri).
    // The proxy reads ConnectionStrings__remote as its remote, and the local one under the name given here.
    .WithReference(minio)
    .WithReference(remote)
    .WaitFor(minio)
    .WaitFor(remote)
    .WithEnvironment("S3_OVERLAY_LOCAL_CONNECTION_NAME", "minio")
    // What clients sign their requests to the proxy with.
    .WithEnvironment("S3_OVERLAY_ACCESS_KEY", proxyAccessKey)
    .WithEnvironment("S3_OVERLAY_SECRET_KEY", proxySecretKey)
    // Both stores again in the proxy's own setting names (S3Overlay.Proxy/Configuration): they win over
    // the connection strings and say what they mean to anyone deploying the manifest without Aspire.
    .WithEnvironment("S3_OVERLAY_LOCAL_ENDPOINT", minio.Resource.S3Endpoint)
    .WithEnvironment("S3_OVERLAY_LOCAL_ACCESS_KEY", minioUser)
    .WithEnvironment("S3_OVERLAY_LOCAL_SECRET_KEY", minioPassword)
    .WithEnvironment("S3_OVERLAY_REMOTE_ENDPOINT", remote.Resource.S3Endpoint)
    .WithEnvironment("S3_OVERLAY_REMOTE_ACCESS_KEY_ID", remoteUser)
    .WithEnvironment("S3_OVERLAY_REMOTE_SECRET_ACCESS_KEY", remotePassword)
    .WithEnvironment("S3_OVERLAY_REMOTE_ADDRESSING_STYLE", "path")
    .WithEnvironment("S3_OVERLAY_REMOTE_REGION", "us-east-1")
    .WithEnvironment("S3_OVERLAY_BUCKET_MAPPING", DemoObjects.BucketMapping)
    .WithEnvironment("S3_OVERLAY_CACHE_ENABLED", "true")
    .WithEnvironment("S3_OVERLAY_CHUNK_THRESHOLD", DemoObjects.ChunkThreshold.ToString(CultureInfo.InvariantCulture))
    .WithEnvironment("S3_OVERLAY_CHUNK_SIZE", DemoObjects.ChunkSize.ToString(CultureInfo.InvariantCulture))
    .WithHttpHealthCheck("/_overlay/health");

builder.Build().Run();

// 22 characters of Aspire's 56-character alphabet (letters and digits without the look-alikes) is
// ~128 bits, Aspire's own default length for generated passwords.
static GenerateParameterDefault GeneratedPassword() => new() { MinLength = 22, Special = false };

static int Replicas(IDistributedApplicationBuilder builder)
{
    const string key = "S3Overlay:Replicas";
    var value = builder.Configuration[key];
    if (string.IsNullOrWhiteSpace(value)) return 1;
    return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var replicas) && replicas is > 0 and <= 16
        ? replicas
        : throw new InvalidOperationException($"{key}={value}: expected a number of replicas (1-16).");
}

static int ProxyPort(IDistributedApplicationBuilder builder)
{
    const string key = "S3Overlay:ProxyPort";
    var value = builder.Configuration[key];
    if (string.IsNullOrWhiteSpace(value)) return 8000;
    return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
        ? port
        : throw new InvalidOperationException($"{key}={value}: expected a TCP port (1-65535).");
}
