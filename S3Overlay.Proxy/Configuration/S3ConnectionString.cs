using System.Data.Common;

namespace S3Overlay.Configuration;

/// <summary>
/// An Aspire connection string for an S3 server, as the MinIO integrations write it:
/// <c>Endpoint=http://host:9000;AccessKey=...;SecretKey=...</c> (optionally <c>Region=...</c>).
/// </summary>
internal sealed record S3ConnectionString(Uri Endpoint, string? AccessKey, string? SecretKey, string? Region)
{
    /// <param name="setting">The variable it came from (<c>ConnectionStrings__local</c>), for messages.</param>
    public static S3ConnectionString? Parse(string? text, string setting)
    {
        if (text is null) return null;
        var parts = new DbConnectionStringBuilder();
        try
        {
            parts.ConnectionString = text;
        }
        catch (ArgumentException)
        {
            throw new SettingException(setting, "is not a connection string (Endpoint=...;AccessKey=...;SecretKey=...)");
        }
        string? Get(string name) => parts.TryGetValue(name, out var v) && v?.ToString() is { Length: > 0 } s ? s : null;
        var endpoint = Get("Endpoint") ?? throw new SettingException(setting, "has no Endpoint=...");
        return new S3ConnectionString(Endpoints.Parse(endpoint, setting), Get("AccessKey"), Get("SecretKey"), Get("Region"));
    }
}

/// <summary>Endpoint URLs of S3 servers, checked at start-up.</summary>
internal static class Endpoints
{
    public static Uri Parse(string text, string setting) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new SettingException(setting, $"'{text}' is not an http:// or https:// URL");
}
