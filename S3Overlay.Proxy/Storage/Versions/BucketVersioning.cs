namespace S3Overlay.Storage.Versions;

/// <summary>
/// A bucket's versioning state, as GetBucketVersioning tells it. A bucket starts
/// <see cref="Unversioned"/> and, once versioning was enabled, can only be suspended, never
/// return to it (as in S3).
/// </summary>
internal enum BucketVersioning
{
    Unversioned,
    Enabled,
    Suspended,
}
