
namespace S3Overlay.Storage.Encryption;

/// <summary>
/// A bucket's default encryption (PutBucketEncryption), kept as a bucket setting: SSE-S3
/// (<c>AES256</c>), SSE-KMS (<c>aws:kms</c>, with the key id the configuration named, if any) or
/// unset. Writes that ask for no encryption of their own get it, the overlay's fills included.
/// </summary>
internal sealed class BucketEncryption(IObjectStore store, TimeProvider clock) : BucketSettingCache<ObjectEncryption>(store, clock, Setting)
{
    public const string Setting = "encryption";

    /// <summary>
    /// Set once a bucket holds an encrypted object: listings of other buckets never look inside
    /// their objects for an envelope (a listing shows an encrypted object's plaintext size).
    /// </summary>
    public const string HoldsEncrypted = "overlay-sse-objects";

    public const string Sse = "AES256";
    public const string Kms = "aws:kms";

    /// <summary>How the setting keeps a default: the algorithm, then (SSE-KMS) a space and the key id it names.</summary>
    public static string Text(ObjectEncryption encryption) =>
        encryption.Kind == EncryptionKind.Kms ? encryption.KmsKeyId is { } keyId ? $"{Kms} {keyId}" : Kms : Sse;

    /// <summary>The default a setting keeps; null when none.</summary>
    public static ObjectEncryption? FromText(string? text) => text switch
    {
        null => null,
        Sse => ObjectEncryption.Managed,
        Kms => ObjectEncryption.Kms(null),
        _ when text.StartsWith(Kms + " ", StringComparison.Ordinal) => ObjectEncryption.Kms(text[(Kms.Length + 1)..]),
        _ => throw new InvalidOperationException($"The bucket's default encryption setting '{text}' is none this server writes."),
    };

    protected override ObjectEncryption? Parse(string bucket, string? text) => FromText(text);
}

/// <summary>Whether a bucket may hold encrypted objects (<see cref="BucketEncryption.HoldsEncrypted"/>), remembered for a while.</summary>
internal sealed class EncryptedBuckets(IObjectStore store, TimeProvider clock) : BucketSettingCache<string>(store, clock, BucketEncryption.HoldsEncrypted)
{
    protected override string? Parse(string bucket, string? text) => text;
}
