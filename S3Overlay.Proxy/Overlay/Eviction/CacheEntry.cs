namespace S3Overlay.Overlay.Eviction;

/// <summary>What the cache holds of one remote object: a whole object in its local bucket, or chunks in the cache bucket.</summary>
internal enum CacheEntryKind { Object, Chunks }

/// <summary>Identifies one evictable unit.</summary>
/// <param name="Bucket">The local bucket of a whole object; the remote bucket of chunks (chunks are shared by every local bucket mapped to it).</param>
internal readonly record struct CacheEntryId(CacheEntryKind Kind, string Bucket, string Key);

/// <summary>One evictable unit as the index tracks it.</summary>
/// <param name="ETag">The filled generation of a whole object: a local object with another ETag is a client's and is never evicted.</param>
/// <param name="Chunks">Chunks stored (0 for a whole object).</param>
/// <param name="LastAccess">Unix milliseconds of the last read (or the fill).</param>
internal sealed record CacheEntry(CacheEntryKind Kind, string Bucket, string Key, string? ETag, long Size, int Chunks, long LastAccess)
{
    public CacheEntryId Id => new(Kind, Bucket, Key);
}
