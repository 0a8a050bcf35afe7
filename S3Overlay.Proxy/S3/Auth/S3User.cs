using S3Overlay.S3.Policies;

namespace S3Overlay.S3.Auth;

/// <summary>One user: its keys, and what it may do.</summary>
/// <param name="Policy">The user's policy, compiled; a user configured without one has <c>admin</c>'s (docs/security.md: everything, the admin API included).</param>
/// <param name="IsRoot">The key of <c>S3_OVERLAY_ACCESS_KEY</c> (or the default credentials): owns everything, past every policy.</param>
public sealed record S3User(string AccessKey, string SecretKey, PolicyDocument Policy, bool IsRoot = false)
{
    /// <summary>Whether the user may use the admin API on the bucket (on jobs, whatever their bucket, when null).</summary>
    public bool MayUseAdminApi(string? bucket) =>
        IsRoot || Policy.Evaluate(new AccessQuery(S3Actions.AdminApi, bucket ?? "", AccessKey, ConditionKeys.None)) == PolicyVerdict.Allow;
}
