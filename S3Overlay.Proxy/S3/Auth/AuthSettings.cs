using Microsoft.Extensions.Configuration;
using S3Overlay.Configuration;
using S3Overlay.S3.Policies;

namespace S3Overlay.S3.Auth;

/// <summary>Who may use the server: the users (keys and policies) and the buckets anyone may read.</summary>
/// <param name="UsesDefaultCredentials">True when nothing was configured and minioadmin/minioadmin is in force.</param>
public sealed record AuthSettings(
    UserDirectory Users,
    IReadOnlySet<string> PublicBuckets,
    bool UsesDefaultCredentials,
    bool AllowDefaultCredentials,
    string? UsersFile = null)
{
    public const string DefaultAccessKey = "minioadmin";
    public const string DefaultSecretKey = "minioadmin";

    public static AuthSettings From(SettingReader read, IConfiguration configuration)
    {
        var users = new Dictionary<string, S3User>(StringComparer.Ordinal);
        var accessKey = read.String("S3_OVERLAY_ACCESS_KEY");
        var secretKey = read.String("S3_OVERLAY_SECRET_KEY");
        if ((accessKey is null) != (secretKey is null))
            throw new SettingException(accessKey is null ? "S3_OVERLAY_ACCESS_KEY" : "S3_OVERLAY_SECRET_KEY",
                "the access key and the secret key must be set together");
        if (accessKey is not null) Add(users, new S3User(accessKey, secretKey!, Everything, IsRoot: true), "S3_OVERLAY_ACCESS_KEY");

        foreach (var user in configuration.GetSection("Overlay:Users").GetChildren())
        {
            var key = user["AccessKey"];
            var secret = user["SecretKey"];
            if (string.IsNullOrWhiteSpace(key) || string.IsNullOrWhiteSpace(secret))
                throw new SettingException("S3_OVERLAY_USERS", $"user {user.Key} needs both AccessKey and SecretKey (Overlay:Users:{user.Key}:AccessKey/SecretKey)");
            var policy = UserPolicy(user["Policy"], $"user {user.Key} (Overlay:Users:{user.Key}:Policy)");
            Add(users, new S3User(key.Trim(), secret.Trim(), policy), "S3_OVERLAY_USERS");
        }

        var usersFile = read.String(Auth.UsersFile.Setting);
        IReadOnlyList<S3User> fileUsers = [];
        if (usersFile is not null)
        {
            try
            {
                fileUsers = Auth.UsersFile.Read(usersFile);
            }
            catch (Exception e) when (e is Auth.UsersFile.Fault or IOException or UnauthorizedAccessException)
            {
                throw new SettingException(Auth.UsersFile.Setting, $"{usersFile}: {e.Message}");
            }
            if (fileUsers.FirstOrDefault(u => users.ContainsKey(u.AccessKey)) is { } clash)
                throw new SettingException(Auth.UsersFile.Setting, $"{usersFile}: the access key '{clash.AccessKey}' is configured twice (also in the settings)");
        }

        // A users file, even an empty one, is configuration: the default credentials are for a server with none.
        var defaults = users.Count == 0 && usersFile is null;
        if (defaults) users[DefaultAccessKey] = new S3User(DefaultAccessKey, DefaultSecretKey, Everything, IsRoot: true);

        var publicBuckets = (read.String("S3_OVERLAY_PUBLIC_BUCKETS") ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToHashSet(StringComparer.Ordinal);
        var directory = new UserDirectory([.. users.Values]);
        directory.ReplaceFileUsers(fileUsers);
        return new AuthSettings(directory, publicBuckets, defaults, read.Bool("S3_OVERLAY_ALLOW_DEFAULT_CREDENTIALS", false), usersFile);
    }

    /// <summary>Whether the pair is a configured user: the credential check of non-S3 sign-ins (the web browser's HTTP Basic).</summary>
    public bool IsUser(string accessKey, string secretKey) =>
        Users.TryGetSecret(accessKey, out var secret)
        && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(secret), System.Text.Encoding.UTF8.GetBytes(secretKey));

    /// <summary>
    /// What a user configured without a policy may do: everything it always could, the admin API
    /// included (<c>admin</c>), so no configuration loses a right. Unlike the root, a bucket
    /// policy's Deny applies to it.
    /// </summary>
    public static readonly PolicyDocument Everything = CannedPolicies.ForUser("admin");

    /// <summary>A user's <c>Policy</c>: a canned name or an IAM policy document; none is <see cref="Everything"/>.</summary>
    public static PolicyDocument UserPolicy(string? text, string whose)
    {
        if (string.IsNullOrWhiteSpace(text)) return Everything;
        if (!CannedPolicies.IsUserPolicyName(text) && !text.TrimStart().StartsWith('{'))
            throw new SettingException("S3_OVERLAY_USERS", $"the policy of {whose} is '{text}': give one of {string.Join(", ", CannedPolicies.UserPolicies.Keys)} or an IAM policy document (JSON)");
        try
        {
            return CannedPolicies.ForUser(text);
        }
        catch (Errors.S3Exception e)
        {
            throw new SettingException("S3_OVERLAY_USERS", $"the policy of {whose} is not valid: {e.Error.Message}");
        }
    }

    public static void Validate(string accessKey, string setting)
    {
        if (accessKey.Any(char.IsWhiteSpace) || accessKey.Contains(':'))
            throw new SettingException(setting, $"the access key '{accessKey}' contains a space or ':'");
    }

    private static void Add(Dictionary<string, S3User> users, S3User user, string setting)
    {
        Validate(user.AccessKey, setting);
        if (!users.TryAdd(user.AccessKey, user))
            throw new SettingException(setting, $"the access key '{user.AccessKey}' is configured twice");
    }
}
