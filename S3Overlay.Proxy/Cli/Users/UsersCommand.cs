using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using S3Overlay.S3.Auth;

namespace S3Overlay.Cli.Users;

/// <summary>
/// <c>s3overlay users add|list|remove</c>: edits the users file a running server reads again by
/// itself (<see cref="UsersFileWatcher"/>). Every edit is checked as the server will read it, then
/// written whole to a new file renamed over the old one, readable by its owner only.
/// </summary>
internal static class UsersCommand
{
    public static Command Create()
    {
        var file = new Option<string>("--file")
        {
            Description = "The users file [env: S3_OVERLAY_USERS_FILE]",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(Configuration.Catalog.AccessCatalog.UsersFile.Variable!) ?? "",
        };
        var accessKey = new Argument<string>("access-key") { Description = "The user's access key" };
        var secret = new Option<string?>("--secret-key") { Description = "Its secret key (generated and printed once when not given)" };
        var policy = new Option<string?>("--policy") { Description = "readwrite, readonly, writeonly, admin, or a policy document (JSON); none: everything" };

        var add = new Command("add", "Add a user, or replace the one with that access key") { accessKey, secret, policy, file };
        add.SetAction(async (result, ct) =>
        {
            var key = result.GetValue(accessKey)!;
            var given = result.GetValue(secret);
            var generated = given is null ? Convert.ToBase64String(RandomNumberGenerator.GetBytes(30)).Replace('+', 'A').Replace('/', 'B') : null;
            var entry = new JsonObject { ["accessKey"] = key, ["secretKey"] = given ?? generated };
            if (result.GetValue(policy) is { } p) entry["policy"] = p.TrimStart().StartsWith('{') ? JsonNode.Parse(p) : p;
            var users = Load(PathOf(result, file));
            users.Remove(key);
            users[key] = entry;
            Save(PathOf(result, file), users);
            var output = result.InvocationConfiguration.Output;
            await output.WriteLineAsync($"added {key}" + (generated is null ? "" : $"; its secret key (shown once): {generated}"));
            return 0;
        });

        var list = new Command("list", "The users in the file and their policies (never their secret keys)") { file };
        list.SetAction(async (result, ct) =>
        {
            foreach (var (key, entry) in Load(PathOf(result, file)))
            {
                var p = entry["policy"];
                var shown = p is null ? "(none: everything)" : p.GetValueKind() == JsonValueKind.String ? p.GetValue<string>() : "(policy document)";
                await result.InvocationConfiguration.Output.WriteLineAsync($"{key}\t{shown}");
            }
            return 0;
        });

        var remove = new Command("remove", "Remove a user: its next request is InvalidAccessKeyId") { accessKey, file };
        remove.SetAction(async (result, ct) =>
        {
            var key = result.GetValue(accessKey)!;
            var users = Load(PathOf(result, file));
            if (!users.Remove(key)) throw new CliException($"there is no user '{key}' in {PathOf(result, file)}", exitCode: 1);
            Save(PathOf(result, file), users);
            await result.InvocationConfiguration.Output.WriteLineAsync($"removed {key}");
            return 0;
        });

        return new Command("users", "Edit the users file (S3_OVERLAY_USERS_FILE) a running server reads again by itself") { add, list, remove };
    }

    private static string PathOf(ParseResult result, Option<string> file) =>
        result.GetValue(file) is { Length: > 0 } path ? path : throw new CliException("name the users file: --file FILE or S3_OVERLAY_USERS_FILE");

    /// <summary>The file's users by access key, in file order; none when the file does not exist yet.</summary>
    private static Dictionary<string, JsonObject> Load(string path)
    {
        var users = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        if (!File.Exists(path)) return users;
        var text = File.ReadAllText(path);
        try
        {
            UsersFile.Parse(text);
        }
        catch (UsersFile.Fault e)
        {
            throw new CliException($"{path}: {e.Message}", exitCode: 1);
        }
        foreach (var entry in JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!["users"]!.AsArray())
            users[entry!["accessKey"]!.GetValue<string>()] = entry.AsObject();
        return users;
    }

    private static void Save(string path, Dictionary<string, JsonObject> users)
    {
        var list = new JsonArray();
        foreach (var entry in users.Values) list.Add(entry.DeepClone());
        var text = new JsonObject { ["users"] = list }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        try
        {
            UsersFile.Parse(text);
        }
        catch (UsersFile.Fault e)
        {
            throw new CliException(e.Message);
        }
        var temp = path + ".new";
        File.WriteAllText(temp, text);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, path, overwrite: true);
    }
}
