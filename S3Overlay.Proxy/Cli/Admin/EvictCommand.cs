using System.CommandLine;

namespace S3Overlay.Cli.Admin;

/// <summary><c>s3overlay evict BUCKET[/PATH]</c>: drops what the cache holds from the remote; the next read fetches it again.</summary>
internal static class EvictCommand
{
    public static Command Create()
    {
        var server = new ServerOptions();
        var target = new Argument<string>("bucket/path") { Description = "photos (everything), photos/2024/ (a folder) or photos/2024/cat.jpg (one key)" };
        var asPrefix = new Option<bool>("--prefix") { Description = "Treat PATH as a key prefix even without a trailing '/'" };
        var command = new Command("evict", "Evict cached objects (only what came from the remote; local writes stay)") { target, asPrefix };
        server.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            var path = BucketPath.Parse(result.GetValue(target)!);
            using var client = server.Connect(result);
            var answer = await client.SendAsync(HttpMethod.Delete, $"api/cache/{path.EscapedBucket}?{path.Query(result.GetValue(asPrefix))}", ct);
            result.InvocationConfiguration.Output.WriteLine($"evicted {CacheFigures.Describe(answer.GetProperty("evicted"))}");
            return 0;
        });
        return command;
    }
}
