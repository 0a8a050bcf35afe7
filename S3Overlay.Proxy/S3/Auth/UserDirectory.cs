using System.Collections.Frozen;

namespace S3Overlay.S3.Auth;

/// <summary>
/// The users the server knows, by access key: those of the settings, then those of the users
/// file. An immutable snapshot swapped whole when the file changes, so a request sees one
/// consistent set of users without taking a lock.
/// </summary>
public sealed class UserDirectory
{
    private readonly IReadOnlyList<S3User> _configured;
    private volatile FrozenDictionary<string, S3User> _users;

    public UserDirectory(IReadOnlyList<S3User> configured)
    {
        _configured = configured;
        _users = configured.ToFrozenDictionary(u => u.AccessKey, StringComparer.Ordinal);
    }

    public int Count => _users.Count;

    public IEnumerable<S3User> All => _users.Values;

    public S3User? Find(string accessKey) => _users.GetValueOrDefault(accessKey);

    public bool TryGetSecret(string accessKey, out string secret)
    {
        secret = _users.TryGetValue(accessKey, out var user) ? user.SecretKey : "";
        return user is not null;
    }

    /// <summary>Replaces the users that came from the users file; the configured ones stay, and win a clash of access keys.</summary>
    public void ReplaceFileUsers(IEnumerable<S3User> fileUsers)
    {
        var users = _configured.ToDictionary(u => u.AccessKey, StringComparer.Ordinal);
        foreach (var user in fileUsers) users.TryAdd(user.AccessKey, user);
        _users = users.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
