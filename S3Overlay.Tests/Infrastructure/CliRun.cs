using S3Overlay.Cli;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>The <c>s3overlay</c> command line run in process, as its <c>Main</c> runs it, with what it printed.</summary>
public sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static async Task<CliRun> RunAsync(params string[] args)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        using var output = new ServeGate(stop);
        using var error = new StringWriter();
        var code = await S3OverlayCommand.RunAsync(args, output, error, stop.Token);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// Stops a <c>serve</c> the moment it says it is listening: a run that should have stopped on a
    /// bad value then ends (and fails its test) instead of serving until the test run times out.
    /// </summary>
    private sealed class ServeGate(CancellationTokenSource stop) : StringWriter
    {
        public override Task WriteLineAsync(string? value)
        {
            if (value?.Contains("listening on", StringComparison.Ordinal) == true) stop.Cancel();
            return base.WriteLineAsync(value);
        }
    }
}
