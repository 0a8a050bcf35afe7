using System.Text.Json;

namespace S3Overlay.S3.Policies;

/// <summary>
/// Whom a bucket policy's statement is about: everyone (<c>"*"</c>, <c>{"AWS": "*"}</c>, the
/// anonymous caller included), or named users, by access key or as
/// <c>arn:aws:iam::ACCOUNT:user/ACCESSKEY</c>. An account's root ARN delegates to the account's
/// own user policies, as on S3, so it names no user by itself.
/// </summary>
internal sealed class PolicyPrincipal
{
    private readonly bool _everyone;
    private readonly HashSet<string> _users;

    private PolicyPrincipal(bool everyone, HashSet<string> users) => (_everyone, _users) = (everyone, users);

    public bool Everyone => _everyone;

    /// <param name="accessKey">The caller; null when anonymous.</param>
    public bool Matches(string? accessKey) => _everyone || (accessKey is not null && _users.Contains(accessKey));

    public static PolicyPrincipal Parse(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String && value.GetString() == "*") return new(true, []);
        if (IsEmpty(value)) throw PolicyFault.Malformed(PolicyFault.EmptyPrincipal);
        if (value.ValueKind != JsonValueKind.Object) throw Invalid();
        var everyone = false;
        var users = new HashSet<string>(StringComparer.Ordinal);
        foreach (var kind in value.EnumerateObject())
        {
            if (kind.Name != "AWS") throw Invalid();
            if (IsEmpty(kind.Value)) throw PolicyFault.Malformed(PolicyFault.EmptyPrincipal);
            foreach (var name in PolicyJson.Strings(kind.Value))
            {
                if (name == "*") everyone = true;
                else if (UserOf(name) is { } user) users.Add(user);
            }
        }
        return new(everyone, users);
    }

    /// <summary>"", {} or []: S3 says the Principal is missing rather than invalid.</summary>
    private static bool IsEmpty(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!.Length == 0,
        JsonValueKind.Object => !value.EnumerateObject().Any(),
        JsonValueKind.Array => value.GetArrayLength() == 0,
        _ => false,
    };

    /// <returns>The access key an AWS principal names; null for an account (its root).</returns>
    private static string? UserOf(string name)
    {
        if (!name.StartsWith("arn:", StringComparison.Ordinal)) return name.Length > 0 ? name : throw Invalid();
        var parts = name.Split(':', 6);
        if (parts is not [_, _, "iam", "", _, var resource]) throw Invalid();
        if (resource == "root") return null;
        return resource.StartsWith("user/", StringComparison.Ordinal) && resource.Length > 5 ? resource[(resource.LastIndexOf('/') + 1)..] : throw Invalid();
    }

    private static Errors.S3Exception Invalid() => PolicyFault.Malformed(PolicyFault.InvalidPrincipal);
}
