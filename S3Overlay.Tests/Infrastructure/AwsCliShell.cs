using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// The aws CLI for many commands in one Python process (aws_shell.py): each command runs what
/// /usr/bin/aws runs, with its own arguments, environment and folder; only the start is shared.
/// Python and botocore cost about 1.3 s of CPU to start and the suite runs the CLI dozens of
/// times, on a 5-minute budget. One command at a time; one that overruns its time kills the
/// process, and the next command starts another.
/// </summary>
internal sealed class AwsCliShell : IDisposable
{
    public const string Program = "/usr/bin/aws";

    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "Clients", "aws_shell.py");

    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly StringBuilder _errors = new();
    private Process? _process;

    public async Task<ClientResult> RunAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string directory, TimeSpan timeout)
    {
        await _one.WaitAsync();
        try
        {
            var process = _process ??= Start(environment, directory);
            await process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(new { args = arguments, env = environment, cwd = directory }));
            await process.StandardInput.FlushAsync();
            string? line;
            using (var overrun = new CancellationTokenSource(timeout))
            {
                try
                {
                    line = await process.StandardOutput.ReadLineAsync(overrun.Token);
                }
                catch (OperationCanceledException)
                {
                    Stop();
                    throw new TimeoutException($"aws {string.Join(' ', arguments)} did not finish in {timeout.TotalSeconds} s");
                }
            }
            if (line is null)
            {
                Stop();
                throw new InvalidOperationException($"The aws shell ended during aws {string.Join(' ', arguments)}:\n{_errors}");
            }
            using var answer = JsonDocument.Parse(line);
            var root = answer.RootElement;
            return new ClientResult(root.GetProperty("exitCode").GetInt32(), Text(root, "stdout"), Text(root, "stderr"));
        }
        finally
        {
            _one.Release();
        }
    }

    private static string Text(JsonElement answer, string name) => Encoding.UTF8.GetString(answer.GetProperty(name).GetBytesFromBase64());

    private Process Start(IReadOnlyDictionary<string, string> environment, string directory)
    {
        // Debian's Python, where python3-boto3 and awscli live, never a pyenv shim.
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        start.ArgumentList.Add(Script);
        start.Environment.Clear();
        foreach (var (k, v) in environment) start.Environment[k] = v;
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the aws shell");
        process.ErrorDataReceived += (_, e) =>
        {
            lock (_errors) _errors.AppendLine(e.Data);
        };
        process.BeginErrorReadLine();
        return process;
    }

    private void Stop()
    {
        if (_process is null) return;
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        if (_process is { } process)
        {
            try { process.StandardInput.Close(); } catch (IOException) { }
            if (!process.WaitForExit(TimeSpan.FromSeconds(5))) Stop();
            else process.Dispose();
        }
        _one.Dispose();
    }
}
