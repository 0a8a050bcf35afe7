using System.Collections.Frozen;
using System.Text.Json;

namespace S3Overlay.S3.Policies;

internal enum PolicyEffect { Allow, Deny }

/// <summary>
/// One compiled statement. Its action patterns are expanded once against the catalog of known
/// actions into a set, so a request's action is one lookup; its resources are compiled
/// wildcards. It applies to a request when the principal, the action, the resource and the
/// conditions all match.
/// </summary>
internal sealed class PolicyStatement
{
    private const string S3Arn = "arn:aws:s3:::";

    public required PolicyEffect Effect { get; init; }
    /// <summary>Null in a user's policy, which is about its user.</summary>
    public PolicyPrincipal? Principal { get; init; }
    public bool NotPrincipal { get; init; }
    public required FrozenSet<string> Actions { get; init; }
    public bool NotAction { get; init; }
    public required WildcardPattern[] Resources { get; init; }
    public bool NotResource { get; init; }
    public StatementCondition? Condition { get; init; }

    public bool AppliesTo(in AccessQuery query) =>
        (Principal is null || Principal.Matches(query.Principal) != NotPrincipal)
        && Actions.Contains(query.Action) != NotAction
        && AnyResource(query.Resource) != NotResource
        && (Condition is null || Condition.Holds(query));

    private bool AnyResource(string resource)
    {
        foreach (var pattern in Resources)
            if (pattern.IsMatch(resource)) return true;
        return false;
    }

    /// <summary>Whether this statement may grant something in <paramref name="bucket"/> to the caller (ListBuckets shows such buckets); conditions are not judged.</summary>
    public bool MayAllowIn(string bucket, string? principal) =>
        Effect == PolicyEffect.Allow
        && (Principal is null || Principal.Matches(principal) != NotPrincipal)
        && (NotResource || Resources.Any(r => BucketPart(r.Text).IsMatch(bucket)));

    /// <summary>Whether the statement lets everyone in with no condition that confines callers (GetBucketPolicyStatus).</summary>
    public bool IsPublic => Effect == PolicyEffect.Allow && Principal is { Everyone: true } && !NotPrincipal && Condition is null;

    private static readonly HashSet<string> Fields = ["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"];

    /// <param name="bucket">The bucket of a bucket policy; null for a user's policy.</param>
    public static PolicyStatement Parse(JsonElement statement, string? bucket)
    {
        if (statement.ValueKind != JsonValueKind.Object) throw PolicyFault.InvalidJson();
        foreach (var field in statement.EnumerateObject())
            if (!Fields.Contains(field.Name)) throw PolicyFault.UnknownField(field.Name);

        var effect = Field(statement, "Effect") is { } e
            ? e.ValueKind == JsonValueKind.String && e.GetString() is "Allow" or "Deny"
                ? Enum.Parse<PolicyEffect>(e.GetString()!)
                : throw PolicyFault.InvalidEffect(e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText())
            : throw PolicyFault.MissingField("Effect");

        var (principalValue, notPrincipal) = OneOf(statement, "Principal", "NotPrincipal");
        PolicyPrincipal? principal = null;
        if (bucket is null && principalValue is not null) throw PolicyFault.Malformed(PolicyFault.UserPolicyPrincipal);
        if (bucket is not null) principal = PolicyPrincipal.Parse(principalValue ?? throw PolicyFault.MissingField("Principal"));

        var (actionValue, notAction) = OneOf(statement, "Action", "NotAction");
        var patterns = PolicyJson.Strings(actionValue ?? throw PolicyFault.MissingField("Action"));
        var actions = NamedActions(patterns, bucket is not null);
        var (resourceValue, notResource) = OneOf(statement, "Resource", "NotResource");
        var resources = PolicyJson.Strings(resourceValue ?? throw PolicyFault.MissingField("Resource"))
            .Select(r => Resource(r, bucket)).ToArray();
        var condition = Field(statement, "Condition") is { } c ? StatementCondition.Parse(c) : null;
        // S3 judges the condition keys against the actions before the actions against the resources (versitygw, checked against AWS).
        if (bucket is not null && condition is not null && !notAction) RequireConditionsApply(condition, patterns);
        if (bucket is not null && !notResource) RequireApplicable(notAction ? S3Actions.Known.Keys.Except(actions, StringComparer.OrdinalIgnoreCase) : actions, resources, bucket);

        return new PolicyStatement
        {
            Effect = effect,
            Principal = principal,
            NotPrincipal = notPrincipal,
            Actions = actions.ToFrozenSet(StringComparer.OrdinalIgnoreCase),
            NotAction = notAction,
            Resources = resources,
            NotResource = notResource,
            Condition = condition,
        };
    }

    private static JsonElement? Field(JsonElement statement, string name) => statement.TryGetProperty(name, out var value) ? value : null;

    /// <summary>Exactly one of a field and its negation, e.g. Action or NotAction.</summary>
    private static (JsonElement? Value, bool Negated) OneOf(JsonElement statement, string name, string negation)
    {
        var plain = Field(statement, name);
        var negated = Field(statement, negation);
        if (plain is not null && negated is not null) throw PolicyFault.Malformed(PolicyFault.InvalidSyntax);
        return negated is not null ? (negated, true) : (plain, false);
    }

    /// <summary>The known actions the patterns name; a pattern naming none is refused, as S3 refuses it.</summary>
    private static HashSet<string> NamedActions(string[] patterns, bool bucketPolicy)
    {
        var actions = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var text in patterns)
        {
            var colon = text.IndexOf(':');
            var service = colon < 0 ? text : text[..colon];
            if (text != "*" && !(service.Equals("s3", StringComparison.OrdinalIgnoreCase) || (!bucketPolicy && service.Equals("admin", StringComparison.OrdinalIgnoreCase))))
                throw PolicyFault.Malformed(PolicyFault.InvalidAction);
            var pattern = new WildcardPattern(text, ignoreCase: true);
            var named = S3Actions.Known.Keys.Where(a => pattern.IsMatch(a) && (!bucketPolicy || !a.StartsWith("admin:", StringComparison.Ordinal))).ToList();
            if (named.Count == 0) throw PolicyFault.Malformed(PolicyFault.InvalidAction);
            actions.UnionWith(named);
        }
        return actions;
    }

    /// <summary>An S3 ARN, kept without its <c>arn:aws:s3:::</c>; in a bucket policy it must name the policy's bucket or what is in it.</summary>
    private static WildcardPattern Resource(string text, string? bucket)
    {
        if (bucket is null && text == "*") return new WildcardPattern("*");
        if (!text.StartsWith(S3Arn, StringComparison.Ordinal) || text.Length == S3Arn.Length) throw PolicyFault.Malformed(PolicyFault.InvalidResource);
        var pattern = new WildcardPattern(text[S3Arn.Length..]);
        if (bucket is not null && !BucketPart(pattern.Text).IsMatch(bucket)) throw PolicyFault.Malformed(PolicyFault.InvalidResource);
        return pattern;
    }

    private static WildcardPattern BucketPart(string resource)
    {
        var slash = resource.IndexOf('/');
        return new WildcardPattern(slash < 0 ? resource : resource[..slash]);
    }

    /// <summary>
    /// The S3 condition keys that only some actions carry: S3 refuses a bucket policy naming one
    /// with an action that never has it (<c>s3:prefix</c> with <c>s3:GetObject</c>), judging every
    /// action named outright; a wildcard pattern (<c>s3:*</c>) is not judged. As versitygw
    /// (auth/bucket_policy_condition.go) found AWS to answer.
    /// </summary>
    private static readonly Dictionary<string, string[]> ConditionActions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["s3:prefix"] = ["s3:ListBucket", "s3:ListBucketVersions"],
        ["s3:delimiter"] = ["s3:ListBucket", "s3:ListBucketVersions"],
        ["s3:max-keys"] = ["s3:ListBucket", "s3:ListBucketVersions"],
        ["s3:x-amz-acl"] = ["s3:PutObject", "s3:PutBucketAcl", "s3:PutObjectAcl"],
    };

    private static void RequireConditionsApply(StatementCondition condition, string[] patterns)
    {
        foreach (var key in condition.Keys)
        {
            if (!ConditionActions.TryGetValue(key, out var carriers)) continue;
            foreach (var action in patterns)
                if (action.IndexOfAny(['*', '?']) < 0 && !carriers.Contains(action, StringComparer.OrdinalIgnoreCase))
                    throw PolicyFault.Malformed(PolicyFault.ConditionsNotApplicable);
        }
    }

    /// <summary>S3 refuses a statement none of whose actions can act on any of its resources (s3:PutObject on a bucket's ARN).</summary>
    private static void RequireApplicable(IEnumerable<string> actions, WildcardPattern[] resources, string bucket)
    {
        var bucketResource = resources.Any(r => r.IsMatch(bucket));
        var objectResource = resources.Any(r => r.Text.Contains('/') || r.Text.Contains('*'));
        foreach (var action in actions)
            if (S3Actions.Known[action] switch { ActionTarget.Bucket => bucketResource, ActionTarget.Object => objectResource, _ => false })
                return;
        throw PolicyFault.Malformed(PolicyFault.ActionNotApplicable);
    }
}
