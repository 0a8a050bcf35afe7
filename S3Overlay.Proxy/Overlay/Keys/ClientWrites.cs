using S3Overlay.Overlay.Eviction;
using S3Overlay.Overlay.LostLocal;

namespace S3Overlay.Overlay.Keys;

/// <summary>
/// What a client's write or delete of a key changes for the parts that keep track of keys: from
/// its start the key is no longer one the remote is known to back (whether or not the write
/// succeeds: one that timed out may have landed), and one the local store may hold
/// (<see cref="LocalKeys"/>); once it is done, whatever was filled there is not the cache's to evict.
/// </summary>
internal sealed class ClientWrites(LocalOutageReads outageReads, LocalKeys localKeys, CacheIndex cache)
{
    /// <summary>A write or delete of the key starts (or ended, for reads that began in between).</summary>
    public void Starting(string bucket, string key)
    {
        outageReads.Known.Forget(bucket, key);
        localKeys.Note(bucket, key);
    }

    /// <summary>The key is the client's now: a whiteout, if any, was the object the write replaced, nothing more to clear.</summary>
    public void Done(string bucket, string key)
    {
        Starting(bucket, key);
        cache.Remove(new CacheEntryId(CacheEntryKind.Object, bucket, key));
    }
}
