namespace S3Overlay.S3.Acl;

/// <summary>
/// A bucket's ObjectOwnership control (PutBucketOwnershipControls, <c>x-amz-object-ownership</c>):
/// who owns the objects written into it, and whether ACLs count. A bucket without the control
/// behaves as <see cref="ObjectWriter"/>, as S3's buckets did before 2023 and RGW's do.
/// </summary>
internal static class ObjectOwnership
{
    /// <summary>Each object belongs to the user that wrote it; ACLs count.</summary>
    public const string ObjectWriter = "ObjectWriter";

    /// <summary>As ObjectWriter, but an object written with <c>bucket-owner-full-control</c> belongs to the bucket's owner.</summary>
    public const string BucketOwnerPreferred = "BucketOwnerPreferred";

    /// <summary>Every object belongs to the bucket's owner and ACLs are off: only policies decide.</summary>
    public const string BucketOwnerEnforced = "BucketOwnerEnforced";

    public static bool IsKnown(string? value) => value is ObjectWriter or BucketOwnerPreferred or BucketOwnerEnforced;
}
