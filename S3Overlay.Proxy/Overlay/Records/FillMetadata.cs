using System.Globalization;
using S3Overlay.Storage;

namespace S3Overlay.Overlay.Records;

/// <summary>
/// The record of an object filled whole, carried in the copy's own user metadata: the copy is
/// stored with it in the one write the fill makes anyway, and every read of the copy finds it in
/// the one read it makes anyway. Everything else a <see cref="FillRecord"/> holds is the copy's
/// own description (size, the remote's ETag and Last-Modified, content headers, the remote's user
/// metadata), which the fill stores exactly.
/// </summary>
/// <remarks>
/// A client's write carries none of these names (<see cref="FromClient"/>), so a copy that has
/// them is one the overlay filled: the eviction's test of what it may delete. Clients never see
/// them (<see cref="Strip"/>). A chunked object keeps its manifest in the cache bucket.
/// </remarks>
internal static class FillMetadata
{
    /// <summary>What every name of the record starts with; reserved: taken out of clients' writes and reads.</summary>
    public const string Prefix = "overlay-fill-";

    /// <summary>The remote bucket the copy was filled from (its presence marks the copy a fill).</summary>
    public const string RemoteBucketName = Prefix + "from";

    /// <summary>When the remote last confirmed the copy's ETag, as of the fill (a revalidation since is in the cache bucket: <see cref="FillRecords"/>).</summary>
    public const string ValidatedAtName = Prefix + "checked";

    /// <summary>The remote's description of the object, with the record's names added: the metadata a fill stores.</summary>
    public static ObjectMetadata With(ObjectMetadata remote, string remoteBucket, DateTimeOffset validatedAt)
    {
        var user = new Dictionary<string, string>(remote.UserMetadata.Where(m => !IsReserved(m.Key)))
        {
            [RemoteBucketName] = remoteBucket,
            [ValidatedAtName] = validatedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        };
        return remote with { UserMetadata = user };
    }

    /// <summary>The fill record a stored copy carries; null for an object the overlay did not fill (or one filled before records rode along).</summary>
    public static FillRecord? RecordOf(ObjectInfo stored)
    {
        var user = stored.Metadata.UserMetadata;
        if (!user.TryGetValue(RemoteBucketName, out var remoteBucket)
            || !user.TryGetValue(ValidatedAtName, out var at)
            || !DateTimeOffset.TryParseExact(at, "O", CultureInfo.InvariantCulture, DateTimeStyles.None, out var validatedAt))
            return null;
        var shown = Strip(stored);
        return new FillRecord(remoteBucket, stored.Key, stored.Size, stored.ETag, stored.LastModified, shown.Metadata, ChunkSize: 0, validatedAt);
    }

    /// <summary>
    /// The fill record of a stored object, given what its key in the cache bucket holds: its own,
    /// with the later check a revalidation kept there; for a copy filled before records rode in the
    /// copy, the cache bucket's alone; null for a client's object.
    /// </summary>
    public static FillRecord? RecordOf(ObjectInfo stored, FillRecord? kept)
    {
        var carried = RecordOf(stored);
        kept = kept is { IsChunked: false } && kept.ETag == stored.ETag ? kept : null;
        return carried is null ? kept : kept is not null && kept.ValidatedAt > carried.ValidatedAt ? carried with { ValidatedAt = kept.ValidatedAt } : carried;
    }

    /// <summary>The object as clients see it: without the record's names (the same instance when it has none).</summary>
    public static ObjectInfo Strip(ObjectInfo stored) =>
        Without(stored.Metadata) is var shown && ReferenceEquals(shown, stored.Metadata) ? stored : stored with { Metadata = shown };

    /// <summary>A client's write without the record's names: a client cannot make its object pass for a fill (which eviction may delete).</summary>
    public static ObjectWrite FromClient(ObjectWrite write) =>
        Without(write.Metadata) is var kept && ReferenceEquals(kept, write.Metadata) ? write : write with { Metadata = kept };

    private static ObjectMetadata Without(ObjectMetadata metadata) =>
        metadata.UserMetadata.Keys.Any(IsReserved) ? metadata with { UserMetadata = metadata.UserMetadata.Where(m => !IsReserved(m.Key)).ToDictionary() } : metadata;

    private static bool IsReserved(string name) => name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);
}
