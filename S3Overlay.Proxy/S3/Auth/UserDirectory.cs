using System.Collections.Frozen;

namespace S3Overlay.S3.Auth;

/// <summary>
/// The users the server knows, by access key (and by canonical id and e-mail address, which ACL
/// grants name): those of the settings, then those of the users file. An immutable snapshot
/// swapped whole when the file changes, so a request sees one consistent set of users without
/// taking a lock.
/// </summary>
internal sealed class UserDirectory
{
    private readonly IReadOnlyList<S3User> _configured;
    private volatile Snapshot _now;

    private sealed record Snapshot(FrozenDictionary<string, S3User> ByKey, FrozenDictionary<string, S3User> ById, FrozenDictionary<string, S3User> ByEmail)
    {
        public static Snapshot Of(IEnumerable<S3User> users)
        {
            var byKey = users.ToFrozenDictionary(u => u.AccessKey, StringComparer.Ordinal);
            // The root's id is the same for every root key (the default credentials' and a configured one's): the first names it.
            var byId = byKey.Values.OrderByDescending(u => u.IsRoot).DistinctBy(u => u.CanonicalId).ToFrozenDictionary(u => u.CanonicalId, StringComparer.Ordinal);
            var byEmail = byKey.Values.Where(u => u.Email is not null).DistinctBy(u => u.Email!, StringComparer.OrdinalIgnoreCase)
                .ToFrozenDictionary(u => u.Email!, StringComparer.OrdinalIgnoreCase);
            return new Snapshot(byKey, byId, byEmail);
        }
    }

    public UserDirectory(IReadOnlyList<S3User> configured)
    {
        _configured = configured;
        _now = Snapshot.Of(configured);
    }

    public int Count => _now.ByKey.Count;

    public IEnumerable<S3User> All => _now.ByKey.Values;

    public S3User? Find(string accessKey) => _now.ByKey.GetValueOrDefault(accessKey);

    /// <summary>The user with this canonical id; null for an id no user has (any more).</summary>
    public S3User? FindById(string canonicalId) => _now.ById.GetValueOrDefault(canonicalId);

    public S3User? FindByEmail(string email) => _now.ByEmail.GetValueOrDefault(email);

    /// <summary>The display name S3 shows beside a canonical id; the root's even when no root key is configured; null for an unknown id.</summary>
    public string? DisplayNameOf(string canonicalId) =>
        FindById(canonicalId)?.DisplayName ?? (canonicalId == S3Owner.Id ? S3Owner.DisplayName : null);

    public bool TryGetSecret(string accessKey, out string secret)
    {
        secret = _now.ByKey.TryGetValue(accessKey, out var user) ? user.SecretKey : "";
        return user is not null;
    }

    /// <summary>Replaces the users that came from the users file; the configured ones stay, and win a clash of access keys.</summary>
    public void ReplaceFileUsers(IEnumerable<S3User> fileUsers)
    {
        var users = _configured.ToDictionary(u => u.AccessKey, StringComparer.Ordinal);
        foreach (var user in fileUsers) users.TryAdd(user.AccessKey, user);
        _now = Snapshot.Of(users.Values);
    }
}
