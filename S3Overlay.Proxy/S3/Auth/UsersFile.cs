using System.Text;
using System.Text.Json;
using S3Overlay.S3.Policies;

namespace S3Overlay.S3.Auth;

/// <summary>
/// The users file (<c>S3_OVERLAY_USERS_FILE</c>): <c>{"users": [{"accessKey": …, "secretKey": …,
/// "policy": "readonly" | {policy document}, "name": …, "email": …}]}</c>; the name (shown beside the
/// user's canonical id in ACLs and listings) and the e-mail address (which ACL grants by e-mail
/// resolve) are optional. A fault is told with the line it is on, so a
/// person can find it in the file.
/// </summary>
internal static class UsersFile
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 32, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>A users file that cannot be used, and why, naming the line.</summary>
    public sealed class Fault(string message) : Exception(message);

    public static IReadOnlyList<S3User> Read(string path) => Parse(File.ReadAllText(path));

    public static IReadOnlyList<S3User> Parse(string text)
    {
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(text, Options);
        }
        catch (JsonException e)
        {
            throw new Fault($"line {e.LineNumber + 1}: not JSON ({e.Message.Split(" LineNumber")[0].TrimEnd('.', ' ')})");
        }
        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("users", out var list) || list.ValueKind != JsonValueKind.Array)
                throw new Fault("line 1: the file must be {\"users\": [ … ]}");
            var lines = EntryLines(text);
            var users = new List<S3User>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var emails = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var i = 0;
            foreach (var entry in list.EnumerateArray())
            {
                var where = $"line {(i < lines.Count ? lines[i] : 1)} (user {i + 1})";
                i++;
                if (entry.ValueKind != JsonValueKind.Object) throw new Fault($"{where}: a user is an object with accessKey, secretKey and policy");
                var accessKey = Text(entry, "accessKey", where);
                var secretKey = Text(entry, "secretKey", where);
                if (accessKey.Any(char.IsWhiteSpace) || accessKey.Contains(':')) throw new Fault($"{where}: the access key '{accessKey}' contains a space or ':'");
                if (!seen.Add(accessKey)) throw new Fault($"{where}: the access key '{accessKey}' is there twice");
                var email = Optional(entry, "email", where);
                if (email is not null && !emails.Add(email)) throw new Fault($"{where}: the e-mail address '{email}' is there twice");
                users.Add(new S3User(accessKey, secretKey, Policy(entry, where)) { Name = Optional(entry, "name", where), Email = email });
            }
            return users;
        }
    }

    /// <summary>Whether people other than the file's owner may read it (its secrets): ssh warns of a key file so.</summary>
    public static bool ReadableByOthers(string path) =>
        !OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0;

    private static string Text(JsonElement entry, string name, string where) =>
        entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new Fault($"{where}: \"{name}\" is missing or not a string");

    private static string? Optional(JsonElement entry, string name, string where) =>
        !entry.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text
        : throw new Fault($"{where}: \"{name}\" is not a string");

    private static PolicyDocument Policy(JsonElement entry, string where)
    {
        if (!entry.TryGetProperty("policy", out var value) || value.ValueKind == JsonValueKind.Null) return AuthSettings.Everything;
        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Object => value.GetRawText(),
            _ => throw new Fault($"{where}: \"policy\" is a canned name or a policy document"),
        };
        if (value.ValueKind == JsonValueKind.String && !CannedPolicies.IsUserPolicyName(text) && !text.TrimStart().StartsWith('{'))
            throw new Fault($"{where}: the policy '{text}' is none of {string.Join(", ", CannedPolicies.UserPolicies.Keys)}");
        try
        {
            return CannedPolicies.ForUser(text);
        }
        catch (Errors.S3Exception e)
        {
            throw new Fault($"{where}: the policy is not valid: {e.Error.Message}");
        }
    }

    /// <summary>The line each entry of the <c>users</c> list starts on (JsonDocument keeps no positions).</summary>
    private static List<int> EntryLines(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var starts = new List<int>();
        while (reader.Read())
            if (reader.TokenType == JsonTokenType.StartObject && reader.CurrentDepth == 2)
                starts.Add(1 + bytes.AsSpan(0, (int)reader.TokenStartIndex).Count((byte)'\n'));
        return starts;
    }
}
