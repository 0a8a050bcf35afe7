using S3Overlay.Buckets;
using S3Overlay.Configuration;
using S3Overlay.Notifications;
using S3Overlay.Storage;

namespace S3Overlay.Hosting;

/// <summary>
/// The store the front ends use, composed in one place, from the bottom up: each layer is built
/// over the one before it and registered as its own type, and the top one is the
/// <see cref="IObjectStore"/>. Every layer forwards what it does not change
/// (<see cref="ForwardingStore"/>).
/// </summary>
internal static class StoreChain
{
    public static void AddObjectStore(this WebApplicationBuilder builder, SettingReader read, ServerSettings server, BucketTargets buckets)
    {
        // 1. The local store: the embedded one in the data folder, or an S3 server.
        var local = builder.AddLocalStore(read, server, buckets);
        // 2. Encryption at rest, right over it: everything stored passes through, the overlay's fills included.
        var encrypted = builder.AddEncryptionAtRest(read, local);
        // 3. The overlay, when a remote is configured: local first, the remote on a miss.
        var served = builder.AddOverlay(read, buckets, encrypted) ?? encrypted;
        // 4. Hidden buckets and prefixes, over all of it: every consumer sees through the same filter.
        var visible = builder.AddHiddenObjects(read, buckets, served);
        // 5. Bucket notifications, on top: every write a client makes raises its event, the overlay's own writes (fills, whiteouts) none.
        var notified = builder.AddNotifications(read, server, visible);
        builder.Services.AddSingleton<IObjectStore>(sp => notified(sp));
    }
}
