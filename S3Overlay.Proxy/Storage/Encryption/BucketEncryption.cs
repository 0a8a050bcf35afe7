
namespace S3Overlay.Storage.Encryption;

/// <summary>
/// A bucket's default encryption (PutBucketEncryption), kept as a bucket setting: <c>AES256</c>
/// (SSE-S3) or unset. Writes that ask for no encryption of their own get it, the overlay's fills included.
/// </summary>
public sealed class BucketEncryption(IObjectStore store, TimeProvider clock) : BucketSettingCache<string>(store, clock, Setting)
{
    public const string Setting = "encryption";

    /// <summary>
    /// Set once a bucket holds an encrypted object: listings of other buckets never look inside
    /// their objects for an envelope (a listing shows an encrypted object's plaintext size).
    /// </summary>
    public const string HoldsEncrypted = "overlay-sse-objects";

    protected override string? Parse(string bucket, string? text) => text;
}

/// <summary>Whether a bucket may hold encrypted objects (<see cref="BucketEncryption.HoldsEncrypted"/>), remembered for a while.</summary>
public sealed class EncryptedBuckets(IObjectStore store, TimeProvider clock) : BucketSettingCache<string>(store, clock, BucketEncryption.HoldsEncrypted)
{
    protected override string? Parse(string bucket, string? text) => text;
}
