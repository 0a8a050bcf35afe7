using Microsoft.Extensions.Configuration;
using S3Overlay.Configuration;
using S3Overlay.Configuration.Catalog;
using S3Overlay.S3.Policies;

namespace S3Overlay.S3.Auth;

/// <summary>Who may use the server: the users (keys and policies) and the buckets anyone may read.</summary>
/// <param name="UsesDefaultCredentials">True when nothing was configured and minioadmin/minioadmin is in force.</param>
internal sealed record AuthSettings(
    UserDirectory Users,
    IReadOnlySet<string> PublicBuckets,
    bool UsesDefaultCredentials,
    bool AllowDefaultCredentials,
    string? UsersFile = null)
{
    public static string DefaultAccessKey => AccessCatalog.AccessKey.Default!;
    public static string DefaultSecretKey => AccessCatalog.SecretKey.Default!;

    /// <summary>More users, each with its keys and policy (<c>Overlay:Users:N:AccessKey</c>, …), and optionally a Name and an Email.</summary>
    public const string UsersSection = AccessCatalog.UsersSection;

    public static AuthSettings From(SettingReader read, IConfiguration configuration)
    {
        var users = new Dictionary<string, S3User>(StringComparer.Ordinal);
        var accessKey = AccessCatalog.AccessKey.Given(read);
        var secretKey = AccessCatalog.SecretKey.Given(read);
        if ((accessKey is null) != (secretKey is null))
            throw (accessKey is null ? AccessCatalog.AccessKey : AccessCatalog.SecretKey).Invalid("the access key and the secret key must be set together");
        if (accessKey is not null) Add(users, new S3User(accessKey, secretKey!, Everything, IsRoot: true), AccessCatalog.AccessKey.Name);

        foreach (var user in configuration.GetSection(UsersSection).GetChildren())
        {
            var key = user["AccessKey"];
            var secret = user["SecretKey"];
            if (string.IsNullOrWhiteSpace(key) || string.IsNullOrWhiteSpace(secret))
                throw AccessCatalog.Users.Invalid($"user {user.Key} needs both AccessKey and SecretKey (Overlay:Users:{user.Key}:AccessKey/SecretKey)");
            var policy = UserPolicy(user["Policy"], $"user {user.Key} (Overlay:Users:{user.Key}:Policy)");
            Add(users, new S3User(key.Trim(), secret.Trim(), policy) { Name = NullIfBlank(user["Name"]), Email = NullIfBlank(user["Email"]) }, AccessCatalog.Users.Name);
        }

        var usersFile = AccessCatalog.UsersFile.Read(read);
        IReadOnlyList<S3User> fileUsers = [];
        if (usersFile is not null)
        {
            try
            {
                fileUsers = Auth.UsersFile.Read(usersFile);
            }
            catch (Exception e) when (e is Auth.UsersFile.Fault or IOException or UnauthorizedAccessException)
            {
                throw AccessCatalog.UsersFile.Invalid($"{usersFile}: {e.Message}");
            }
            if (fileUsers.FirstOrDefault(u => users.ContainsKey(u.AccessKey)) is { } clash)
                throw AccessCatalog.UsersFile.Invalid($"{usersFile}: the access key '{clash.AccessKey}' is configured twice (also in the settings)");
        }

        // A users file, even an empty one, is configuration: the default credentials are for a server with none.
        var defaults = users.Count == 0 && usersFile is null;
        if (defaults) users[DefaultAccessKey] = new S3User(DefaultAccessKey, DefaultSecretKey, Everything, IsRoot: true);

        var publicBuckets = AccessCatalog.PublicBuckets.Items(read).ToHashSet(StringComparer.Ordinal);
        var directory = new UserDirectory([.. users.Values]);
        directory.ReplaceFileUsers(fileUsers);
        return new AuthSettings(directory, publicBuckets, defaults, AccessCatalog.AllowDefaultCredentials.Read(read), usersFile);
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
            throw AccessCatalog.Users.Invalid($"the policy of {whose} is '{text}': give one of {string.Join(", ", CannedPolicies.UserPolicies.Keys)} or an IAM policy document (JSON)");
        try
        {
            return CannedPolicies.ForUser(text);
        }
        catch (Errors.S3Exception e)
        {
            throw AccessCatalog.Users.Invalid($"the policy of {whose} is not valid: {e.Error.Message}");
        }
    }

    private static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

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
