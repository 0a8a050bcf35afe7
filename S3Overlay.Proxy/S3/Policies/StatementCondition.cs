using System.Net;
using System.Text.Json;

namespace S3Overlay.S3.Policies;

/// <summary>
/// A statement's <c>Condition</c> block, compiled: every operator's every key must hold (AND);
/// a key holds when the request's value matches any of the listed values (OR), or none of them
/// for a negated operator. A key the request lacks fails a positive operator and satisfies a
/// negated one, <c>…IfExists</c> and <c>ForAllValues:</c>, as IAM evaluates them.
/// </summary>
internal sealed class StatementCondition
{
    private readonly Test[] _tests;

    private StatementCondition(Test[] tests) => _tests = tests;

    private enum Kind { StringEquals, StringEqualsIgnoreCase, StringLike, IpAddress, Bool, Null }

    /// <summary>How a key with several values (<c>s3:RequestObjectTagKeys</c>) is judged: as one value, or every one, or any one.</summary>
    private enum SetOperator { Single, ForAllValues, ForAnyValue }

    private sealed record Test(Kind Kind, bool Negated, bool HoldsWhenMissing, SetOperator Set, string Key, string[] Values, WildcardPattern[]? Patterns, IPNetwork[]? Networks);

    /// <summary>S3's own condition keys a policy may name; any <c>aws:</c> key is accepted, as AWS keeps adding global ones.</summary>
    private static readonly HashSet<string> S3Keys = new(StringComparer.OrdinalIgnoreCase)
    {
        "s3:prefix", "s3:delimiter", "s3:max-keys", "s3:x-amz-acl", "s3:x-amz-copy-source", "s3:x-amz-metadata-directive",
        "s3:x-amz-server-side-encryption", "s3:x-amz-storage-class", "s3:x-amz-content-sha256", "s3:signatureversion",
        "s3:signatureAge", "s3:authType", "s3:TlsVersion", "s3:VersionId", "s3:ResourceAccount", "s3:RequestObjectTagKeys",
        "s3:x-amz-grant-read", "s3:x-amz-grant-write", "s3:x-amz-grant-read-acp", "s3:x-amz-grant-write-acp",
        "s3:x-amz-grant-full-control", "s3:object-lock-mode", "s3:object-lock-retain-until-date",
        "s3:object-lock-remaining-retention-days", "s3:object-lock-legal-hold", "s3:locationconstraint", "s3:if-match", "s3:if-none-match",
    };

    /// <summary>The condition keys the block names.</summary>
    public IEnumerable<string> Keys => _tests.Select(t => t.Key);

    /// <summary>Whether the block judges the object's tags (<c>s3:ExistingObjectTag/…</c>): the object must be read first.</summary>
    public bool NamesExistingObjectTags => _tests.Any(t => t.Key.StartsWith(ConditionKeys.ExistingObjectTagPrefix, StringComparison.OrdinalIgnoreCase));

    public bool Holds(in AccessQuery query)
    {
        foreach (var test in _tests)
        {
            var value = ValueOf(test.Key, query);
            if (test.Set == SetOperator.Single ? !Holds(test, value) : !HoldsForSet(test, query.Keys.Values(test.Key) ?? (value is null ? Array.Empty<string>() : new[] { value }))) return false;
        }
        return true;
    }

    private static string? ValueOf(string key, in AccessQuery query) =>
        key.StartsWith(ConditionKeys.ExistingObjectTagPrefix, StringComparison.OrdinalIgnoreCase)
            ? query.ExistingTags?.GetValueOrDefault(key[ConditionKeys.ExistingObjectTagPrefix.Length..])
            : query.Keys.Value(key);

    /// <summary>
    /// IAM's set operators: ForAllValues holds when every value of the request matches (so when it
    /// has none); ForAnyValue when at least one does. A negated operator's match is a mismatch.
    /// </summary>
    private static bool HoldsForSet(Test test, IReadOnlyList<string> values) => test.Set == SetOperator.ForAllValues
        ? values.All(v => Holds(test, v))
        : values.Any(v => Holds(test, v));

    private static bool Holds(Test test, string? value)
    {
        if (test.Kind == Kind.Null)
            return test.Values.Any(v => string.Equals(v, "true", StringComparison.OrdinalIgnoreCase)) == (value is null);
        if (value is null) return test.HoldsWhenMissing;
        var any = test.Kind switch
        {
            Kind.StringEquals => test.Values.Contains(value, StringComparer.Ordinal),
            Kind.StringEqualsIgnoreCase => test.Values.Contains(value, StringComparer.OrdinalIgnoreCase),
            Kind.StringLike => test.Patterns!.Any(p => p.IsMatch(value)),
            Kind.Bool => test.Values.Contains(value, StringComparer.OrdinalIgnoreCase),
            Kind.IpAddress => IPAddress.TryParse(value, out var ip) && test.Networks!.Any(n => n.Contains(ip)),
            _ => false,
        };
        return any != test.Negated;
    }

    public static StatementCondition Parse(JsonElement block)
    {
        if (block.ValueKind != JsonValueKind.Object) throw PolicyFault.InvalidJson();
        var tests = new List<Test>();
        foreach (var op in block.EnumerateObject())
        {
            if (op.Value.ValueKind != JsonValueKind.Object) throw PolicyFault.InvalidJson();
            var (kind, negated, ifExists, set) = Operator(op.Name);
            foreach (var key in op.Value.EnumerateObject())
            {
                if (!(key.Name.StartsWith("aws:", StringComparison.OrdinalIgnoreCase) || S3Keys.Contains(key.Name) || IsTagKey(key.Name)))
                    throw PolicyFault.Malformed(PolicyFault.InvalidConditionKey);
                var values = PolicyJson.Strings(key.Value);
                tests.Add(new Test(kind, negated, negated || ifExists || set == SetOperator.ForAllValues, set, key.Name, values,
                    kind == Kind.StringLike ? values.Select(v => new WildcardPattern(v)).ToArray() : null,
                    kind == Kind.IpAddress ? values.Select(Network).ToArray() : null));
            }
        }
        return new StatementCondition([.. tests]);
    }

    /// <summary><c>s3:RequestObjectTag/&lt;key&gt;</c> and <c>s3:ExistingObjectTag/&lt;key&gt;</c>, naming a tag key.</summary>
    private static bool IsTagKey(string name) =>
        (name.StartsWith(ConditionKeys.RequestObjectTagPrefix, StringComparison.OrdinalIgnoreCase) && name.Length > ConditionKeys.RequestObjectTagPrefix.Length)
        || (name.StartsWith(ConditionKeys.ExistingObjectTagPrefix, StringComparison.OrdinalIgnoreCase) && name.Length > ConditionKeys.ExistingObjectTagPrefix.Length);

    private static (Kind Kind, bool Negated, bool IfExists, SetOperator Set) Operator(string name)
    {
        var set = SetOperator.Single;
        var bare = name;
        if (bare.StartsWith("ForAllValues:", StringComparison.Ordinal)) { bare = bare["ForAllValues:".Length..]; set = SetOperator.ForAllValues; }
        else if (bare.StartsWith("ForAnyValue:", StringComparison.Ordinal)) { bare = bare["ForAnyValue:".Length..]; set = SetOperator.ForAnyValue; }
        var forAll = set == SetOperator.ForAllValues;
        var ifExists = bare.EndsWith("IfExists", StringComparison.Ordinal) && bare != "Null";
        if (ifExists) bare = bare[..^"IfExists".Length];
        (Kind, bool)? found = bare switch
        {
            "StringEquals" => (Kind.StringEquals, false),
            "StringNotEquals" => (Kind.StringEquals, true),
            "StringEqualsIgnoreCase" => (Kind.StringEqualsIgnoreCase, false),
            "StringNotEqualsIgnoreCase" => (Kind.StringEqualsIgnoreCase, true),
            "StringLike" => (Kind.StringLike, false),
            "StringNotLike" => (Kind.StringLike, true),
            "IpAddress" => (Kind.IpAddress, false),
            "NotIpAddress" => (Kind.IpAddress, true),
            "Bool" => (Kind.Bool, false),
            "Null" when !forAll => (Kind.Null, false),
            _ => null,
        };
        if (found is not var (kind, negated)) throw PolicyFault.InvalidConditionType(name);
        return (kind, negated, ifExists, set);
    }

    /// <summary>A CIDR block; an address alone is itself (/32, /128). IPv4 requests over IPv6 sockets are compared as IPv4.</summary>
    private static IPNetwork Network(string text)
    {
        var slash = text.IndexOf('/');
        var host = slash < 0 ? text : text[..slash];
        // .NET reads "123" and "10.1" as IPv4 addresses (inet_aton's forms); S3 wants four dotted parts (scality cloudserver checkIp).
        if (!IPAddress.TryParse(host, out var address) || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && host.Split('.').Length != 4))
            throw PolicyFault.Malformed(PolicyFault.InvalidIpAddress);
        var bytes = address.GetAddressBytes();
        var prefix = bytes.Length * 8;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, null, out prefix) || prefix > bytes.Length * 8))
            throw PolicyFault.Malformed(PolicyFault.InvalidIpAddress);
        // IAM reads 203.0.113.9/24 as the block it lies in; IPNetwork insists on the host bits being zero.
        for (var bit = prefix; bit < bytes.Length * 8; bit++) bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        return new IPNetwork(new IPAddress(bytes), prefix);
    }
}
