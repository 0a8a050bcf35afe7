using System.CommandLine;
using System.Text.Json;

namespace S3Overlay.Cli.Admin;

/// <summary><c>s3overlay warm BUCKET[/PREFIX]</c>: starts a warm job and follows it to the end.</summary>
internal static class WarmCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    public static Command Create()
    {
        var server = new ServerOptions();
        var target = new Argument<string>("bucket/prefix") { Description = "photos (the whole bucket) or photos/2024/ (everything under the prefix)" };
        var detach = new Option<bool>("--detach") { Description = "Start the job, print its id and return without following it" };
        var command = new Command("warm", "Prefetch remote objects into the cache, with progress") { target, detach };
        server.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            var path = BucketPath.Parse(result.GetValue(target)!);
            using var client = server.Connect(result);
            var started = await client.SendAsync(HttpMethod.Post, $"api/warm/{path.EscapedBucket}?prefix={Uri.EscapeDataString(path.Path)}", ct);
            var id = started.GetProperty("id").GetString()!;
            var output = result.InvocationConfiguration.Output;
            if (result.GetValue(detach))
            {
                output.WriteLine($"warm job {id}");
                return 0;
            }
            var job = await FollowAsync(client, id, new WarmProgress(output, IsTerminal(output)), ct);
            return Report(job, output);
        });
        return command;
    }

    private static async Task<JsonElement> FollowAsync(AdminClient client, string id, WarmProgress progress, CancellationToken ct)
    {
        while (true)
        {
            var job = await client.SendAsync(HttpMethod.Get, $"api/jobs/{Uri.EscapeDataString(id)}", ct);
            progress.Show(job);
            if (job.GetProperty("state").GetString() != "running")
            {
                progress.Finish();
                return job;
            }
            await Task.Delay(PollInterval, ct);
        }
    }

    /// <returns>0 when every object was warmed; 1 when the job failed or some object did.</returns>
    private static int Report(JsonElement job, TextWriter output)
    {
        foreach (var error in job.GetProperty("errors").EnumerateArray())
            output.WriteLine($"failed: {error.GetProperty("key").GetString()}: {error.GetProperty("message").GetString()}");
        var state = job.GetProperty("state").GetString();
        var fatal = job.GetProperty("error");
        output.WriteLine(fatal.ValueKind == JsonValueKind.String ? $"{state}: {fatal.GetString()}" : $"{state}: {WarmProgress.Describe(job)}");
        return state == "completed" && job.GetProperty("objectsFailed").GetInt32() == 0 ? 0 : 1;
    }

    private static bool IsTerminal(TextWriter output) => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
}
