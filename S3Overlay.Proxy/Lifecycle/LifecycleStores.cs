using S3Overlay.Storage;

namespace S3Overlay.Lifecycle;

/// <summary>
/// The stores a scan uses. It reads (buckets, settings, listings, tags, uploads) from the local
/// store, and asks the remote only whether a lone whiteout still hides its object (a HEAD through
/// the front store; the remote is never changed); it deletes and aborts through the front
/// store, so an expired object is deleted as a client's DELETE deletes it: in the overlay that
/// leaves a whiteout, and the remote's copy of the key does not come back.
/// </summary>
/// <param name="Local">The store the overlay keeps its objects in; the front store itself without an overlay.</param>
/// <param name="Front">What S3 requests go through.</param>
internal sealed record LifecycleStores(IObjectStore Local, IObjectStore Front);
