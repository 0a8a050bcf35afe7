using S3Overlay.S3.Policies;

namespace S3Overlay.S3.Auth;

/// <summary>One user: its keys, and what it may do.</summary>
/// <param name="Policy">The user's policy, compiled; a user configured without one has <c>admin</c>'s (docs/security.md: everything, the admin API included).</param>
/// <param name="IsRoot">The key of <c>S3_OVERLAY_ACCESS_KEY</c> (or the default credentials): owns everything, past every policy.</param>
internal sealed record S3User(string AccessKey, string SecretKey, PolicyDocument Policy, bool IsRoot = false)
{
    /// <summary>The canonical id that owns what the user creates and that ACL grants name (<see cref="S3Owner"/>).</summary>
    public string CanonicalId { get; } = IsRoot ? S3Owner.Id : S3Owner.IdOf(AccessKey);

    /// <summary>The name ACLs and listings show beside the id: the users file's <c>name</c>, else the access key.</summary>
    public string DisplayName => IsRoot ? S3Owner.DisplayName : Name ?? AccessKey;

    /// <summary>The users file's <c>name</c>, if any.</summary>
    public string? Name { get; init; }

    /// <summary>The users file's <c>email</c>: what an ACL grant by e-mail address (<c>emailAddress=</c>) resolves.</summary>
    public string? Email { get; init; }

    /// <summary>Whether the user may use the admin API on the bucket (on jobs, whatever their bucket, when null).</summary>
    public bool MayUseAdminApi(string? bucket) =>
        IsRoot || Policy.Evaluate(new AccessQuery(S3Actions.AdminApi, bucket ?? "", AccessKey, ConditionKeys.None)) == PolicyVerdict.Allow;
}
