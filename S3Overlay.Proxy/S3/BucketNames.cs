using S3Overlay.S3.Errors;

namespace S3Overlay.S3;

/// <summary>S3's bucket naming rules: strict for new buckets, lenient for addressing existing ones.</summary>
internal static class BucketNames
{
    /// <summary>The rules CreateBucket enforces (<see cref="Storage.BucketNameRule.IsValidForCreate"/>).</summary>
    public static bool IsValidForCreate(string name) => Storage.BucketNameRule.IsValidForCreate(name);

    /// <summary>
    /// Whether a request may name this bucket at all: the stores' rule (<see cref="Storage.BucketNameRule"/>),
    /// looser than <see cref="IsValidForCreate"/> so that existing folders with S3's legacy names can be served.
    /// </summary>
    public static bool IsAddressable(string name) => Storage.BucketNameRule.IsAddressable(name);

    public static S3Exception Invalid(string name) =>
        new S3Exception(S3Error.InvalidBucketName, name).With("BucketName", name);
}
