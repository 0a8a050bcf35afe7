namespace S3Overlay.S3;

/// <summary>The one account that owns every bucket here, as S3 names owners in its answers.</summary>
public static class S3Owner
{
    /// <summary>A canonical user id in S3's shape (64 hex digits); fixed, so clients that compare owners agree across restarts.</summary>
    public const string Id = "5a3e0f0e7c1d4b2a9f8e6d5c4b3a29180716253443526170e9d8c7b6a5f4e3d2";
    public const string DisplayName = "s3overlay";
}
