using System.Security.Cryptography;
using System.Text;

namespace S3Overlay.S3;

/// <summary>
/// Owners as S3 names them: a canonical user id (64 hex digits) and a display name. The root key
/// (<c>S3_OVERLAY_ACCESS_KEY</c>) has one fixed id whatever the key is, so the buckets it owns
/// (every bucket made before users owned buckets) keep their owner when the key changes; every
/// other user's id is derived from its access key, so it is the same on every replica and restart.
/// </summary>
internal static class S3Owner
{
    /// <summary>The root key's canonical id; fixed, so clients that compare owners agree across restarts.</summary>
    public const string Id = "5a3e0f0e7c1d4b2a9f8e6d5c4b3a29180716253443526170e9d8c7b6a5f4e3d2";
    public const string DisplayName = "s3overlay";

    /// <summary>A user's canonical id: the SHA-256 of <c>s3overlay-user:</c> and its access key, in lower-case hex.</summary>
    public static string IdOf(string accessKey) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("s3overlay-user:" + accessKey)));
}
