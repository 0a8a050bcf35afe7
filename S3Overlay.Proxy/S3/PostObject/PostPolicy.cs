using System.Globalization;
using System.Text;
using System.Text.Json;
using S3Overlay.Storage.Checksums;
using S3Overlay.S3.Errors;

namespace S3Overlay.S3.PostObject;

/// <summary>
/// The base64 JSON policy of a browser upload (<c>expiration</c> and <c>conditions</c>), and the
/// check of a form against it as S3 makes it: not expired, every condition met, every form field
/// (but the exempt ones) named by a condition, and the file's size in its content-length-range.
/// A checksum of the file needs no condition: it cannot change what is stored, only refuse bytes
/// that do not match it.
/// </summary>
internal sealed class PostPolicy
{
    /// <summary>Fields no condition needs to name: the signature, the policy itself, the file, and the x-ignore- ones.</summary>
    private static readonly HashSet<string> Exempt = new(StringComparer.OrdinalIgnoreCase)
        { "x-amz-signature", "file", "policy", "AWSAccessKeyId", "signature" };

    /// <summary>ISO 8601 in UTC as S3 documents it (<c>2007-12-01T12:00:00.000Z</c>), or with an offset: a date and a time, never one alone.</summary>
    private static readonly string[] ExpirationFormats =
        ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

    private PostPolicy(DateTimeOffset expiration, IReadOnlyList<PolicyCondition> conditions, long minLength, long maxLength)
    {
        Expiration = expiration;
        Conditions = conditions;
        MinLength = minLength;
        MaxLength = maxLength;
    }

    public DateTimeOffset Expiration { get; }
    public IReadOnlyList<PolicyCondition> Conditions { get; }

    /// <summary>The file's size bounds from <c>content-length-range</c> (several ranges all apply).</summary>
    public long MinLength { get; }
    public long MaxLength { get; }

    public static PostPolicy Parse(string base64)
    {
        JsonDocument document;
        try
        {
            var json = Encoding.UTF8.GetString(Convert.FromBase64String(base64.Trim()));
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (Exception e) when (e is FormatException or JsonException or DecoderFallbackException)
        {
            throw Invalid("Invalid JSON.");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Invalid("Invalid JSON.");
            if (!root.TryGetProperty("expiration", out var expiration)) throw Invalid("Policy missing expiration.");
            if (expiration.ValueKind != JsonValueKind.String || !DateTimeOffset.TryParseExact(expiration.GetString(), ExpirationFormats,
                    CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var expires))
                throw Invalid($"Invalid 'expiration' value: '{expiration}'");
            if (!root.TryGetProperty("conditions", out var list) || list.ValueKind != JsonValueKind.Array) throw Invalid("Policy missing conditions.");

            var conditions = new List<PolicyCondition>();
            long min = 0, max = long.MaxValue;
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object) conditions.Add(Simple(item));
                else if (item.ValueKind == JsonValueKind.Array && item.GetArrayLength() == 3 && item[0].ValueKind == JsonValueKind.String
                         && item[0].GetString()!.Equals("content-length-range", StringComparison.OrdinalIgnoreCase))
                {
                    min = Math.Max(min, Length(item[1], item));
                    max = Math.Min(max, Length(item[2], item));
                }
                else conditions.Add(Matching(item));
            }
            return new PostPolicy(expires, conditions, min, max);
        }
    }

    /// <summary>Throws S3's AccessDenied (Invalid according to Policy) unless the form satisfies the policy.</summary>
    public void Check(IReadOnlyDictionary<string, string> fields, string bucket, DateTimeOffset now)
    {
        if (now >= Expiration) throw Denied("Policy expired.");
        foreach (var condition in Conditions)
        {
            var actual = condition.Field.Equals("bucket", StringComparison.OrdinalIgnoreCase) ? bucket : fields.GetValueOrDefault(condition.Field);
            if (!condition.IsMetBy(actual)) throw Denied($"Policy Condition failed: {condition.Text}");
        }
        var extra = fields.Keys
            .Where(name => !Exempt.Contains(name) && !name.StartsWith("x-ignore-", StringComparison.OrdinalIgnoreCase) && !IsChecksum(name))
            .Where(name => !Conditions.Any(c => c.Field.Equals(name, StringComparison.OrdinalIgnoreCase)))
            .ToList();
        if (extra.Count > 0) throw Denied($"Extra input fields: {string.Join(", ", extra)}");
    }

    private static bool IsChecksum(string field) => ChecksumAlgorithm.All.Any(a => a.HeaderName.Equals(field, StringComparison.OrdinalIgnoreCase));

    /// <summary><c>{"acl": "public-read"}</c>: an exact match, one field to an object (an empty one is refused, as S3 refuses it).</summary>
    private static PolicyCondition Simple(JsonElement item)
    {
        if (item.EnumerateObject().Count() != 1) throw Invalid("Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.");
        var property = item.EnumerateObject().Single();
        return property.Value.ValueKind == JsonValueKind.String
            ? new PolicyCondition(PolicyMatch.Eq, property.Name, property.Value.GetString()!, Text("eq", "$" + property.Name, property.Value.GetString()!))
            : throw Invalid($"Invalid Simple-Condition: {item.GetRawText()}");
    }

    /// <summary><c>["eq", "$key", "a"]</c> or <c>["starts-with", "$key", "user/"]</c>.</summary>
    private static PolicyCondition Matching(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Array || item.GetArrayLength() != 3 || item.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
            throw Invalid($"Invalid Condition: {item.GetRawText()}");
        var (operation, field, value) = (item[0].GetString()!, item[1].GetString()!, item[2].GetString()!);
        var match = operation.ToLowerInvariant() switch
        {
            "eq" => PolicyMatch.Eq,
            "starts-with" => PolicyMatch.StartsWith,
            _ => throw Invalid($"Invalid Condition: unknown operation '{operation}'."),
        };
        if (!field.StartsWith('$') || field.Length == 1) throw Invalid($"Invalid Condition: the field '{field}' must start with '$'.");
        return new PolicyCondition(match, field[1..], value, Text(operation, field, value));
    }

    /// <summary>A condition as S3's error messages quote it: <c>["eq", "$key", "a.txt"]</c>.</summary>
    private static string Text(params string[] parts) => "[" + string.Join(", ", parts.Select(p => $"\"{JsonEncodedText.Encode(p)}\"")) + "]";

    private static long Length(JsonElement value, JsonElement item)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) && n >= 0) return n;
        if (value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out n)) return n;
        throw Invalid($"Invalid content-length-range: {item.GetRawText()}");
    }

    private static S3Exception Invalid(string why) => new(S3Error.InvalidPolicyDocument.WithMessage($"Invalid Policy: {why}"));

    private static S3Exception Denied(string why) => new(S3Error.AccessDenied.WithMessage($"Invalid according to Policy: {why}"));
}
