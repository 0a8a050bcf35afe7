namespace S3Overlay.S3.Notifications;

/// <summary>
/// A destination's name as MinIO writes it: <c>arn:minio:sqs:&lt;region&gt;:&lt;ID&gt;:&lt;type&gt;</c>
/// (<c>arn:minio:sqs::1:webhook</c>), so a configuration written for MinIO names the same target here.
/// </summary>
internal static class NotificationArn
{
    /// <summary>The ARN of the target declared with <paramref name="id"/> (the suffix of its settings) and <paramref name="type"/>.</summary>
    public static string Of(string id, string type) => $"arn:minio:sqs::{id}:{type}";

    /// <summary>
    /// The ARN without its region (how targets are known), when it is one of ours and its region
    /// is empty or <paramref name="region"/>; otherwise null.
    /// </summary>
    public static string? Canonical(string arn, string region)
    {
        var parts = arn.Split(':');
        if (parts.Length != 6 || parts[0] != "arn" || parts[1] != "minio" || parts[2] != "sqs") return null;
        if (parts[3].Length > 0 && !string.Equals(parts[3], region, StringComparison.Ordinal)) return null;
        if (parts[4].Length == 0 || parts[5].Length == 0) return null;
        return Of(parts[4], parts[5]);
    }
}
