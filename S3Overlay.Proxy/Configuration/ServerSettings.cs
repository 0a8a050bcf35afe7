namespace S3Overlay.Configuration;

/// <summary>Settings of the server itself, whatever store is behind it.</summary>
/// <param name="DataDir">The embedded file-system store's folder.</param>
/// <param name="BaseDomain">Requests to <c>bucket.BaseDomain</c> are virtual-host style; null turns that off.</param>
/// <param name="Region">The region the server says it is in (GetBucketLocation, SigV4 scope).</param>
public sealed record ServerSettings(string DataDir, string? BaseDomain, string Region)
{
    public static ServerSettings From(SettingReader read) => new(
        DataDir: Path.GetFullPath(read.String("S3_OVERLAY_DATA_DIR", "./data")!),
        BaseDomain: read.String("S3_OVERLAY_BASE_DOMAIN"),
        Region: read.String("S3_OVERLAY_REGION", "us-east-1")!);
}
