using Microsoft.Extensions.Diagnostics.HealthChecks;
using S3Overlay.Buckets;
using S3Overlay.Configuration;
using S3Overlay.Configuration.Catalog;
using S3Overlay.Storage;
using S3Overlay.Storage.FileSystem;
using S3Overlay.Storage.S3;
using S3Overlay.Telemetry;

namespace S3Overlay.Hosting;

/// <summary>Chooses the local store from the settings; <see cref="StoreChain"/> puts the layers over it.</summary>
internal static class StorageRegistration
{
    /// <summary>The local store, and whether it takes staged files (the embedded one): declared here, where it is built.</summary>
    public static StoreLink AddLocalStore(this WebApplicationBuilder builder, SettingReader read, ServerSettings server, BucketTargets buckets)
    {
        if (LocalStoreSettings.From(read) is { } local)
        {
            if (buckets.Folders.FirstOrDefault() is { } folder)
                throw new SettingException($"Overlay__Buckets__{folder.Name}__Folder", "a folder bucket needs the embedded store, and the local store is another S3 (ConnectionStrings__local or S3_OVERLAY_LOCAL_ENDPOINT)");
            builder.AddS3LocalStore(local);
            return new StoreLink(sp => sp.GetRequiredService<S3ObjectStore>(), Staging: null);
        }
        else
        {
            foreach (var folder in buckets.Folders)
            {
                try { BucketLink.Create(server.DataDir, folder.Name, folder.Folder!, replace: true); }
                catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
                {
                    throw new SettingException($"Overlay__Buckets__{folder.Name}__Folder", e.Message);
                }
            }
            builder.AddFileSystemStore(read, server);
            return new StoreLink(sp => sp.GetRequiredService<FileSystemObjectStore>(), Staging: sp => sp.GetRequiredService<FileSystemObjectStore>());
        }
    }

    /// <summary>MinIO or any S3 server as the local store; start-up fails when it cannot be reached.</summary>
    public static void AddS3LocalStore(this WebApplicationBuilder builder, LocalStoreSettings local)
    {
        builder.Services.AddSingleton(local);
        builder.Services.AddSingleton(sp => local.CreateStore(sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddHostedService<LocalStoreStartupCheck>();
    }

    /// <summary>The embedded file-system store in the data folder, and its cleaner of abandoned uploads.</summary>
    public static void AddFileSystemStore(this WebApplicationBuilder builder, SettingReader read, ServerSettings server)
    {
        var options = new FileSystemStoreOptions(
            MinimumPartSize: FileSystemStoreCatalog.MultipartMinPartSize.Read(read),
            MultipartMaxAge: FileSystemStoreCatalog.MultipartMaxAge.Read(read))
        {
            FollowLinksOut = FileSystemStoreCatalog.FollowLinksOut.Read(read),
            Exclusive = true,
        };
        builder.Services.AddSingleton(sp =>
        {
            try { return new FileSystemObjectStore(server.DataDir, sp.GetRequiredService<TimeProvider>(), options, sp.GetRequiredService<ILoggerFactory>().CreateLogger<FileSystemObjectStore>()); }
            catch (DataFolderInUseException e) { throw ServerCatalog.DataDir.Invalid(e.Message); }
        });
        builder.Services.AddHostedService<AbandonedUploadCleaner>();
        builder.Services.AddHealthChecks().AddCheck<DiskHealthCheck>("disk", HealthStatus.Degraded);
        builder.Services.TryAddSingleton<ICaseFoldingProbe, CaseFoldingProbe>();
        builder.Services.AddHostedService<CaseFoldingGuard>();
    }
}
