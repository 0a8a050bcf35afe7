using S3Overlay.Configuration;
using S3Overlay.Storage;
using S3Overlay.Storage.FileSystem;

namespace S3Overlay.Hosting;

/// <summary>Chooses the store behind the front end from the settings.</summary>
public static class StorageRegistration
{
    public static void AddObjectStore(this WebApplicationBuilder builder, SettingReader read, ServerSettings server)
    {
        builder.Services.AddSingleton<IObjectStore>(sp => new FileSystemObjectStore(server.DataDir, sp.GetRequiredService<TimeProvider>()));
    }
}
