using Microsoft.Extensions.Configuration;
using S3Overlay.Configuration;

namespace S3Overlay.S3.Auth;

/// <summary>Who may use the server: the users (access key → secret key) and the buckets anyone may read.</summary>
/// <param name="UsesDefaultCredentials">True when nothing was configured and minioadmin/minioadmin is in force.</param>
public sealed record AuthSettings(
    IReadOnlyDictionary<string, string> Users,
    IReadOnlySet<string> PublicBuckets,
    bool UsesDefaultCredentials,
    bool AllowDefaultCredentials)
{
    public const string DefaultAccessKey = "minioadmin";
    public const string DefaultSecretKey = "minioadmin";

    public static AuthSettings From(SettingReader read, IConfiguration configuration)
    {
        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        var accessKey = read.String("S3_OVERLAY_ACCESS_KEY");
        var secretKey = read.String("S3_OVERLAY_SECRET_KEY");
        if ((accessKey is null) != (secretKey is null))
            throw new SettingException(accessKey is null ? "S3_OVERLAY_ACCESS_KEY" : "S3_OVERLAY_SECRET_KEY",
                "the access key and the secret key must be set together");
        if (accessKey is not null) Add(users, accessKey, secretKey!, "S3_OVERLAY_ACCESS_KEY");

        foreach (var user in configuration.GetSection("Overlay:Users").GetChildren())
        {
            var key = user["AccessKey"];
            var secret = user["SecretKey"];
            if (string.IsNullOrWhiteSpace(key) || string.IsNullOrWhiteSpace(secret))
                throw new SettingException("S3_OVERLAY_USERS", $"user {user.Key} needs both AccessKey and SecretKey (Overlay:Users:{user.Key}:AccessKey/SecretKey)");
            Add(users, key.Trim(), secret.Trim(), "S3_OVERLAY_USERS");
        }

        var defaults = users.Count == 0;
        if (defaults) users[DefaultAccessKey] = DefaultSecretKey;

        var publicBuckets = (read.String("S3_OVERLAY_PUBLIC_BUCKETS") ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToHashSet(StringComparer.Ordinal);
        return new AuthSettings(users, publicBuckets, defaults, read.Bool("S3_OVERLAY_ALLOW_DEFAULT_CREDENTIALS", false));
    }

    /// <summary>Whether the pair is a configured user: the credential check of non-S3 sign-ins (the web browser's HTTP Basic).</summary>
    public bool IsUser(string accessKey, string secretKey) =>
        Users.TryGetValue(accessKey, out var secret)
        && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(secret), System.Text.Encoding.UTF8.GetBytes(secretKey));

    private static void Add(Dictionary<string, string> users, string accessKey, string secretKey, string setting)
    {
        if (accessKey.Any(char.IsWhiteSpace) || accessKey.Contains(':'))
            throw new SettingException(setting, $"the access key '{accessKey}' contains a space or ':'");
        if (!users.TryAdd(accessKey, secretKey))
            throw new SettingException(setting, $"the access key '{accessKey}' is configured twice");
    }
}
