using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Reliability;

/// <summary>The environment of a child-process proxy in the crash and load runs: embedded store, overlay on s3rver with caching on, 64 KiB chunks.</summary>
public static class ChildProxySettings
{
    public static Dictionary<string, string> Overlay(string root, string remoteUrl, string localBucket, string remoteBucket) => new()
    {
        ["S3_OVERLAY_DATA_DIR"] = Path.Combine(root, "data"),
        ["S3_OVERLAY_SPILL_DIR"] = Path.Combine(root, "spill"),
        ["S3_OVERLAY_REMOTE_ENDPOINT"] = remoteUrl,
        ["S3_OVERLAY_REMOTE_ACCESS_KEY_ID"] = S3rverProcess.AccessKey,
        ["S3_OVERLAY_REMOTE_SECRET_ACCESS_KEY"] = S3rverProcess.SecretKey,
        ["S3_OVERLAY_REMOTE_ADDRESSING_STYLE"] = "path",
        ["S3_OVERLAY_BUCKET_MAPPING"] = $"{localBucket}:{remoteBucket}",
        ["S3_OVERLAY_CACHE_ENABLED"] = "true",
        ["S3_OVERLAY_CHUNK_SIZE"] = "65536",
        ["S3_OVERLAY_CHUNK_THRESHOLD"] = "131072",
    };
}
