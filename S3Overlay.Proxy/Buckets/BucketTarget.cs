using S3Overlay.Storage.S3;

namespace S3Overlay.Buckets;

/// <summary>
/// One bucket of the bucket configuration (<c>Overlay:Buckets:NAME:…</c>, x2s3's targets): backed
/// by its own remote, or by a folder on the server, with its own flags.
/// </summary>
/// <param name="Name">The bucket's name here.</param>
internal sealed record BucketTarget(string Name)
{
    /// <summary>The remote S3 the bucket reads through to; null for a folder bucket.</summary>
    public S3StoreOptions? Remote { get; init; }

    /// <summary>The bucket on the remote (the bucket's own name unless told).</summary>
    public string RemoteBucket { get; init; } = Name;

    /// <summary>Where inside the remote bucket this bucket's keys start: empty, or ending in <c>/</c>.</summary>
    public string RemotePrefix { get; init; } = "";

    /// <summary>The folder served as the bucket (its files are the objects); null for a remote bucket.</summary>
    public string? Folder { get; init; }

    /// <summary>Writes answer AccessDenied, to everyone, the root included.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Whether what is read from the remote is kept; null: as <c>S3_OVERLAY_CACHE_ENABLED</c> says.</summary>
    public bool? Cache { get; init; }

    /// <summary>Left out of ListBuckets and the web browser (<c>S3_OVERLAY_HIDDEN_BUCKETS</c>).</summary>
    public bool Hidden { get; init; }

    /// <summary>Anyone may read it (<c>S3_OVERLAY_PUBLIC_BUCKETS</c>: MinIO's download policy).</summary>
    public bool PublicRead { get; init; }

    /// <summary>
    /// False makes the bucket key-only, as x2s3's <c>browseable: false</c>: hidden, every listing
    /// AccessDenied, and a missing key AccessDenied rather than NoSuchKey, as S3 answers a caller
    /// that may get objects but not list them.
    /// </summary>
    public bool Browseable { get; init; } = true;
}
