using System.Text;
using System.Text.Json;

namespace S3Overlay.S3.Policies;

/// <summary>What a policy says about one request: nothing (an implicit deny), allow, or an explicit deny.</summary>
internal enum PolicyVerdict { None, Allow, Deny }

/// <summary>
/// An IAM policy document (a bucket's policy, or a user's), parsed and compiled once, with S3's
/// grammar and S3's reasons for refusing one. Evaluation: any statement that applies and denies
/// wins; otherwise any that applies and allows allows; otherwise the policy says nothing.
/// </summary>
internal sealed class PolicyDocument
{
    /// <summary>S3's limit on a bucket policy.</summary>
    public const int MaxBytes = 20 * 1024;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 16 };
    private static readonly HashSet<string> Fields = ["Version", "Id", "Statement"];

    private PolicyDocument(string text, PolicyStatement[] statements) => (Text, Statements) = (text, statements);

    /// <summary>The document as it was given (GetBucketPolicy answers it byte for byte).</summary>
    public string Text { get; }

    public IReadOnlyList<PolicyStatement> Statements { get; }

    public PolicyVerdict Evaluate(in AccessQuery query)
    {
        var verdict = PolicyVerdict.None;
        foreach (var statement in Statements)
        {
            if (!statement.AppliesTo(query)) continue;
            if (statement.Effect == PolicyEffect.Deny) return PolicyVerdict.Deny;
            verdict = PolicyVerdict.Allow;
        }
        return verdict;
    }

    /// <summary>Whether some statement may grant the caller something in the bucket (what ListBuckets shows a limited user).</summary>
    public bool MayAllowIn(string bucket, string? principal) => Statements.Any(s => s.MayAllowIn(bucket, principal));

    public bool IsPublic => Statements.Any(s => s.IsPublic);

    /// <summary>Whether some statement judges the object's tags: a request it may judge reads them first.</summary>
    public bool NamesExistingObjectTags { get; private init; }

    /// <summary>Reads a bucket's policy; MalformedPolicy with S3's reason when S3 would refuse it.</summary>
    public static PolicyDocument ForBucket(string text, string bucket) => Parse(text, bucket);

    /// <summary>Reads a user's policy (no Principal; <c>admin:*</c> actions allowed; <c>"*"</c> a resource).</summary>
    public static PolicyDocument ForUser(string text) => Parse(text, null);

    private static PolicyDocument Parse(string text, string? bucket)
    {
        if (Encoding.UTF8.GetByteCount(text) > MaxBytes) throw PolicyFault.Malformed(PolicyFault.TooLarge);
        if (text.TrimStart().FirstOrDefault() != '{') throw PolicyFault.Malformed(PolicyFault.FirstByte);
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(text, Options);
        }
        catch (JsonException)
        {
            throw PolicyFault.InvalidJson();
        }
        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw PolicyFault.InvalidJson();
            foreach (var field in root.EnumerateObject())
                if (!Fields.Contains(field.Name)) throw PolicyFault.UnknownField(field.Name);
            if (root.TryGetProperty("Version", out var version) && (version.ValueKind != JsonValueKind.String || version.GetString() is not ("2012-10-17" or "2008-10-17")))
                throw PolicyFault.Malformed(PolicyFault.InvalidVersion);
            if (!root.TryGetProperty("Statement", out var statement)) throw PolicyFault.MissingField("Statement");
            var statements = statement.ValueKind == JsonValueKind.Array ? statement.EnumerateArray().ToArray() : [statement];
            if (statements.Length == 0) throw PolicyFault.Malformed(PolicyFault.EmptyStatement);
            var compiled = statements.Select(s => PolicyStatement.Parse(s, bucket)).ToArray();
            return new PolicyDocument(text, compiled) { NamesExistingObjectTags = compiled.Any(s => s.Condition?.NamesExistingObjectTags == true) };
        }
    }
}
