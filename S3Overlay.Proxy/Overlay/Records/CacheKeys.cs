namespace S3Overlay.Overlay.Records;

/// <summary>
/// Where the overlay keeps its state in the cache bucket of the local store. Chunk keys name the
/// remote bucket, key, ETag and chunk size, so a replaced remote object (new ETag) or a new chunk
/// size never reads old chunks; everything of one remote object sits under one prefix, so a
/// listing finds it (for eviction and reports).
/// </summary>
/// <remarks>
/// The suffixes (<c>@manifest</c>, <c>@chunks</c>) keep every cache key from being a folder of
/// another in a file-system store: keys <c>a</c> and <c>a/b</c> give <c>a@…</c> and <c>a/b@…</c>.
/// </remarks>
internal static class CacheKeys
{
    public const string ManifestPrefix = "manifests/";
    public const string ChunkPrefix = "chunks/";

    /// <summary>The manifest of one remote object: what is cached of it, and when it was last checked.</summary>
    public static string Manifest(string remoteBucket, string key) => $"{ManifestPrefix}{remoteBucket}/{key}@manifest";

    /// <summary>The remote bucket and key a manifest key names (null for anything else under the prefix).</summary>
    public static (string RemoteBucket, string Key)? ParseManifest(string manifestKey)
    {
        const string suffix = "@manifest";
        if (!manifestKey.StartsWith(ManifestPrefix, StringComparison.Ordinal) || !manifestKey.EndsWith(suffix, StringComparison.Ordinal)) return null;
        var path = manifestKey[ManifestPrefix.Length..^suffix.Length];
        // Bucket names hold no slash: the first one ends the bucket.
        var slash = path.IndexOf('/');
        return slash > 0 && slash < path.Length - 1 ? (path[..slash], path[(slash + 1)..]) : null;
    }

    public static string Chunk(string remoteBucket, string key, string etag, long chunkSize, int index) =>
        $"{ChunksOfGeneration(remoteBucket, key, etag, chunkSize)}{index:D6}";

    /// <summary>Every chunk of one generation (ETag and chunk size) of one remote object.</summary>
    public static string ChunksOfGeneration(string remoteBucket, string key, string etag, long chunkSize) =>
        $"{ChunksOf(remoteBucket, key)}{Storage.ReadConditions.Unquote(etag)}/{chunkSize}/";

    /// <summary>Every chunk of every generation of one remote object (what an eviction of the object deletes).</summary>
    public static string ChunksOf(string remoteBucket, string key) => $"{ChunkPrefix}{remoteBucket}/{key}@chunks/";
}
