namespace S3Overlay.S3.Lifecycle;

/// <summary>One rule of a bucket's lifecycle configuration, as S3 documents it (PutBucketLifecycleConfiguration).</summary>
/// <param name="Id">Up to 255 characters, unique in the configuration; S3 makes one up when the client gives none.</param>
internal sealed record LifecycleRule(
    string Id,
    bool Enabled,
    LifecycleFilter Filter,
    Expiration? Expiration,
    NoncurrentVersionExpiration? NoncurrentVersionExpiration,
    AbortIncompleteMultipartUpload? AbortIncompleteMultipartUpload);

/// <summary>
/// Expires the current version: after <paramref name="Days"/> from its creation, or on
/// <paramref name="Date"/> (midnight UTC); or, alone, removes a delete marker that is the last
/// version of its key (<paramref name="ExpiredObjectDeleteMarker"/>).
/// </summary>
internal sealed record Expiration(int? Days, DateTimeOffset? Date, bool? ExpiredObjectDeleteMarker);

/// <summary>
/// Removes a noncurrent version <paramref name="NoncurrentDays"/> after it stopped being current,
/// keeping the <paramref name="NewerNoncurrentVersions"/> newest noncurrent versions whatever their age.
/// </summary>
internal sealed record NoncurrentVersionExpiration(int NoncurrentDays, int? NewerNoncurrentVersions);

/// <summary>Aborts a multipart upload <paramref name="DaysAfterInitiation"/> after it was created.</summary>
internal sealed record AbortIncompleteMultipartUpload(int DaysAfterInitiation);
