namespace S3Overlay.Cli;

/// <summary>
/// What the person at the command line should read instead of a stack trace: one line, and the
/// exit code (2: the command line itself is wrong; 1: the server said no or could not be reached).
/// </summary>
internal sealed class CliException(string message, int exitCode = 2) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
