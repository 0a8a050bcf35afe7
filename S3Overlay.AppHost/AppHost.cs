// The S3 Overlay distributed application: a local MinIO (the proxy's local store), a second MinIO
// standing in for the remote bucket (seeded with demo objects), and the proxy between them.
// aspire-manifest.json at the repository root is what this file publishes; S3Overlay.Tests/Aspire
// checks that the two agree. API calls below were checked against the sources of Aspire 13.5 and
// CommunityToolkit.Aspire 13.5 (see README "Aspire"); this project is not built on machines without them.
using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using S3Overlay.AppHost.Seeding;

var builder = DistributedApplication.CreateBuilder(args);

// Explicit credentials for both MinIOs: left to its defaults, the toolkit gives every MinIO a root-user
// parameter with the same fixed name ("user"), so two of them would collide. Passwords are generated
// secrets of letters and digits (they travel inside ';'-separated connection strings), kept in user
// secrets so a restart does not change them.
var minioUser = builder.AddParameter("minio-user", "minioadmin", publishValueAsDefault: true);
var minioPassword = builder.AddParameter("minio-password", GeneratedPassword(), secret: true, persist: true);
var remoteUser = builder.AddParameter("remote-user", "remoteadmin", publishValueAsDefault: true);
var remotePassword = builder.AddParameter("remote-password", GeneratedPassword(), secret: true, persist: true);

// The credentials S3 clients use with the proxy itself. Without them the proxy falls back to
// minioadmin/minioadmin and refuses to listen beyond loopback, as a deployed container must.
var proxyAccessKey = builder.AddParameter("proxy-access-key", "overlay", publishValueAsDefault: true);
var proxySecretKey = builder.AddParameter("proxy-secret-key", GeneratedPassword(), secret: true, persist: true);

// The toolkit marks its MinIO integration [Obsolete] since 13.3 (MinIO's open-source project was
// archived upstream). It still works, and MinIO is the local store this design is built around.
#pragma warning disable CS0618
var minio = builder.AddMinioContainer("minio", minioUser, minioPassword);

var remote = builder.AddMinioContainer("remote", remoteUser, remotePassword)
    // Runs in the AppHost once the remote is healthy; WaitFor(remote) below also waits for it to finish,
    // so the proxy starts against a seeded remote. Its log lines show in the remote's console log.
    .OnResourceReady(async (resource, ready, cancellationToken) =>
    {
        var log = ready.Services.GetRequiredService<ResourceLoggerService>().GetLogger(resource);
        var connectionString = await resource.GetConnectionStringAsync(cancellationToken)
            ?? throw new InvalidOperationException("The remote MinIO has no connection string.");
        await DemoObjects.SeedAsync(connectionString, line => log.LogInformation("{Seeded}", line), cancellationToken);
    });
#pragma warning restore CS0618

// No launch profile: the proxy's own default (127.0.0.1:8000 for `dotnet run`) must not leak in; the one
// http endpoint below is what Aspire assigns and passes as ASPNETCORE_URLS (run) or HTTP_PORTS (publish).
builder.AddProject<Projects.S3Overlay_Proxy>("proxy", launchProfileName: null)
    .WithHttpEndpoint()
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
    .WithEnvironment("S3_OVERLAY_LOCAL_ENDPOINT", minio.GetEndpoint("http"))
    .WithEnvironment("S3_OVERLAY_LOCAL_ACCESS_KEY", minioUser)
    .WithEnvironment("S3_OVERLAY_LOCAL_SECRET_KEY", minioPassword)
    .WithEnvironment("S3_OVERLAY_REMOTE_ENDPOINT", remote.GetEndpoint("http"))
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
