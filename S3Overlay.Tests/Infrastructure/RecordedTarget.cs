namespace S3Overlay.Tests.Infrastructure;

/// <summary>A request target a relay recorded (<c>/bucket/key?query</c>, as sent), read as an S3 server in path style reads it.</summary>
public sealed record RecordedTarget(string Raw, string Bucket, string? Key)
{
    public static RecordedTarget Parse(string raw)
    {
        var question = raw.IndexOf('?');
        var path = Uri.UnescapeDataString(question < 0 ? raw : raw[..question]);
        var slash = path.IndexOf('/', 1);
        return slash < 0 || slash == path.Length - 1 ? new(raw, path[1..].TrimEnd('/'), null) : new(raw, path[1..slash], path[(slash + 1)..]);
    }

    /// <summary>Whether the path holds a <c>.</c> or <c>..</c> segment a server could resolve.</summary>
    public bool HasDotSegment => Key is { } key && S3Overlay.Storage.DotSegments.In(key);

    /// <summary>
    /// Whether this request acted on <paramref name="buckets"/> alone (a local bucket and the remote
    /// one behind it): one of them, the service (ListBuckets), or the store's own records of them
    /// in <paramref name="own"/> buckets (the S3 store's settings, the overlay's cache), whose keys
    /// name the bucket as their first or second segment (or are the cache's one shared index).
    /// </summary>
    public bool ConfinedTo(string[] buckets, params string[] own)
    {
        if (HasDotSegment) return false;
        if (Bucket == "" || buckets.Contains(Bucket)) return true;
        if (!own.Contains(Bucket)) return false;
        if (Key is null || Key == "eviction/index.json") return true;
        var segments = Key.Split('/');
        // A key of the overlay's own buckets names the bucket it is about first (the settings of the
        // cache bucket itself are its own too), or second (whiteouts/BUCKET/…, chunks/BUCKET/…).
        return buckets.Contains(segments[0]) || own.Contains(segments[0]) || (segments.Length > 1 && buckets.Contains(segments[1]));
    }

    public override string ToString() => Raw;
}
