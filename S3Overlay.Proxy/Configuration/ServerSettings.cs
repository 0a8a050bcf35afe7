using S3Overlay.Configuration.Catalog;

namespace S3Overlay.Configuration;

/// <summary>Settings of the server itself, whatever store is behind it.</summary>
/// <param name="DataDir">The embedded file-system store's folder.</param>
/// <param name="BaseDomain">Requests to <c>bucket.BaseDomain</c> are virtual-host style; null turns that off.</param>
/// <param name="Region">The region the server says it is in (GetBucketLocation, SigV4 scope).</param>
internal sealed record ServerSettings(string DataDir, string? BaseDomain, string Region)
{
    public static ServerSettings From(SettingReader read) => new(
        DataDir: ServerCatalog.DataDir.Read(read)!,
        BaseDomain: ServerCatalog.BaseDomain.Read(read),
        Region: ServerCatalog.Region.Read(read)!);
}
