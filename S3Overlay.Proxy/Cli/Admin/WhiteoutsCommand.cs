using System.CommandLine;

namespace S3Overlay.Cli.Admin;

/// <summary><c>s3overlay whiteouts list|clear BUCKET[/PATH]</c>: the keys deleted here that hide the remote's objects.</summary>
internal static class WhiteoutsCommand
{
    public static Command Create()
    {
        var command = new Command("whiteouts", "List or clear whiteouts (keys deleted here that the remote still has)");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Clear());
        return command;
    }

    private static Command List()
    {
        var server = new ServerOptions();
        var target = new Argument<string>("bucket/prefix") { Description = "photos or photos/2024/" };
        var limit = new Option<int>("--limit") { Description = "At most this many keys", DefaultValueFactory = _ => 1000 };
        var command = new Command("list", "List whiteouts under a prefix, with when each key was deleted") { target, limit };
        server.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            var path = BucketPath.Parse(result.GetValue(target)!);
            using var client = server.Connect(result);
            var answer = await client.SendAsync(HttpMethod.Get,
                $"api/whiteouts/{path.EscapedBucket}?prefix={Uri.EscapeDataString(path.Path)}&limit={result.GetValue(limit)}", ct);
            var output = result.InvocationConfiguration.Output;
            foreach (var whiteout in answer.GetProperty("whiteouts").EnumerateArray())
                output.WriteLine($"{whiteout.GetProperty("deletedAt").GetDateTimeOffset():u}  {whiteout.GetProperty("key").GetString()}");
            if (answer.GetProperty("truncated").GetBoolean()) output.WriteLine($"(more: raise --limit)");
            return 0;
        });
        return command;
    }

    private static Command Clear()
    {
        var server = new ServerOptions();
        var target = new Argument<string>("bucket/path") { Description = "photos/2024/cat.jpg (one key), photos/2024/ or photos (every one under it)" };
        var asPrefix = new Option<bool>("--prefix") { Description = "Treat PATH as a key prefix even without a trailing '/'" };
        var command = new Command("clear", "Clear whiteouts: the remote's objects show again") { target, asPrefix };
        server.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            var path = BucketPath.Parse(result.GetValue(target)!);
            using var client = server.Connect(result);
            var answer = await client.SendAsync(HttpMethod.Delete, $"api/whiteouts/{path.EscapedBucket}?{path.Query(result.GetValue(asPrefix))}", ct);
            result.InvocationConfiguration.Output.WriteLine($"cleared {answer.GetProperty("cleared")} whiteouts");
            return 0;
        });
        return command;
    }
}
