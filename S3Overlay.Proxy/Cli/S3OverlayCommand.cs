using System.CommandLine;
using System.CommandLine.Help;
using S3Overlay.Cli.Admin;
using S3Overlay.Cli.Serve;

namespace S3Overlay.Cli;

/// <summary>
/// <c>s3overlay</c>: <c>serve</c> runs the server; <c>status</c>, <c>warm</c>, <c>evict</c> and
/// <c>whiteouts</c> talk to a running one through its admin API; <c>health</c> asks it whether it is healthy;
/// <c>users</c> edits the users file; <c>policy</c> sets a bucket's anonymous access through the S3 API.
/// </summary>
internal static class S3OverlayCommand
{
    private static readonly string[] Verbs = ["serve", "status", "warm", "evict", "whiteouts", "health", "users", "policy", "reference", "--help", "-h", "-?", "--version"];

    /// <summary>
    /// Whether <paramref name="args"/> are this command line's. Anything else (no arguments at all,
    /// or ASP.NET's own <c>--urls …</c>) starts the server, configured by the environment and
    /// appsettings.json, as any ASP.NET app starts.
    /// </summary>
    public static bool Handles(string[] args) => args.Length > 0 && Verbs.Contains(args[0]);

    /// <summary>
    /// A plain command rather than RootCommand, which would name itself after the assembly
    /// (<c>S3Overlay.Proxy</c>) in --help; installed, the command is <c>s3overlay</c>.
    /// </summary>
    public static Command Create() => new("s3overlay", "S3 Overlay: an S3 server over a local store that backfills from a remote S3 bucket")
    {
        new HelpOption(),
        new VersionOption(),
        ServeCommand.Create(),
        StatusCommand.Create(),
        WarmCommand.Create(),
        EvictCommand.Create(),
        WhiteoutsCommand.Create(),
        HealthCommand.Create(),
        Users.UsersCommand.Create(),
        Users.PolicyCommand.Create(),
        ReferenceCommand.Create(),
    };

    /// <param name="output">Where the verbs print (the console by default; tests pass a writer).</param>
    /// <param name="ct">Stops a verb (and <c>serve</c>'s server); Ctrl+C and SIGTERM are left to the server's own host.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken ct = default)
    {
        error ??= Console.Error;
        var configuration = new InvocationConfiguration
        {
            Output = output ?? Console.Out,
            Error = error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        };
        try
        {
            return await Create().Parse(args).InvokeAsync(configuration, ct);
        }
        catch (CliException e)
        {
            await error.WriteLineAsync($"s3overlay: {e.Message}");
            return e.ExitCode;
        }
    }
}
