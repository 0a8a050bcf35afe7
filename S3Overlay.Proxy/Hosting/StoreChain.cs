using S3Overlay.Buckets;
using S3Overlay.Configuration;
using S3Overlay.Notifications;
using S3Overlay.Storage;

namespace S3Overlay.Hosting;

/// <summary>
/// The store the front ends use, composed in one place, from the bottom up: each layer is built
/// over the one before it and registered as its own type, and the top one is the
/// <see cref="IObjectStore"/>. Every layer forwards what it does not change
/// (<see cref="ForwardingStore"/>). What a store can do beyond the seam, taking a staged file
/// (<see cref="IStagingStore"/>), is declared where the store is built and carried up the chain
/// by each link (<see cref="StoreLink"/>) to the overlay, whose fills use it.
/// </summary>
internal static class StoreChain
{
    public static void AddObjectStore(this WebApplicationBuilder builder, SettingReader read, ServerSettings server, BucketTargets buckets)
    {
        // 1. The local store: the embedded one in the data folder, or an S3 server.
        var local = builder.AddLocalStore(read, server, buckets);
        // 2. Encryption at rest, right over it: everything stored passes through, the overlay's fills included.
        var encrypted = builder.AddEncryptionAtRest(read, local);
        // 3. The overlay, when a remote is configured: local first, the remote on a miss; its fills stage into the layer beneath when it can take staged files.
        var served = builder.AddOverlay(read, buckets, encrypted) ?? encrypted.Get;
        // 4. Hidden buckets and prefixes, over all of it: every consumer sees through the same filter.
        var visible = builder.AddHiddenObjects(read, buckets, served);
        // 5. Bucket notifications, on top: every write a client makes raises its event, the overlay's own writes (fills, whiteouts) none.
        var notified = builder.AddNotifications(read, server, visible);
        builder.Services.AddSingleton<IObjectStore>(sp => notified(sp));
    }
}

/// <summary>
/// A link of the chain as built: how to get its store, and, when files staged on its disk can be
/// committed through it by a rename, how to get that staging (null when it cannot: every write
/// through it is a stream).
/// </summary>
internal sealed record StoreLink(Func<IServiceProvider, IObjectStore> Get, Func<IServiceProvider, IStagingStore>? Staging);
