using System.Diagnostics;
using System.Text;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// The built proxy started as a person would, <c>dotnet S3Overlay.Proxy.dll serve …</c>, in its own
/// process on a free port (<c>--listen http://127.0.0.1:0</c>), with exactly the environment given
/// (no <c>S3_OVERLAY_*</c> inherited from the test run). Killed when disposed.
/// </summary>
public sealed class ServeProcess : IAsyncDisposable
{
    private const string ListeningLine = "s3overlay: listening on ";
    private readonly Process _process;
    private readonly StringBuilder _log;

    private ServeProcess(Process process, StringBuilder log, string url)
    {
        _process = process;
        _log = log;
        Url = url;
    }

    public string Url { get; }

    public int ProcessId => _process.Id;

    /// <summary>Whether the process ended within <paramref name="limit"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan limit)
    {
        try
        {
            await _process.WaitForExitAsync(new CancellationTokenSource(limit).Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Everything the process printed (stdout and stderr), for failure messages.</summary>
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>The proxy built beside the tests: <c>dotnet S3Overlay.Proxy.dll serve …</c>.</summary>
    public static Task<ServeProcess> StartAsync(IEnumerable<string> args, string workingDirectory, IDictionary<string, string>? environment = null) =>
        StartAsync(["dotnet", Path.Combine(AppContext.BaseDirectory, "S3Overlay.Proxy.dll")], args, workingDirectory, environment);

    /// <param name="program">What runs <c>s3overlay</c>: <c>dotnet</c> and the proxy's dll, or an installed tool.</param>
    public static async Task<ServeProcess> StartAsync(string[] program, IEnumerable<string> args, string workingDirectory, IDictionary<string, string>? environment = null)
    {
        var info = Command(program[0], workingDirectory, environment, [.. program[1..], "serve", "--listen", "http://127.0.0.1:0", .. args]);
        var log = new StringBuilder();
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) { listening.TrySetException(new InvalidOperationException("the server stopped before listening")); return; }
            lock (log) log.AppendLine(e.Data);
            if (e.Data.StartsWith(ListeningLine, StringComparison.Ordinal)) listening.TrySetResult(e.Data[ListeningLine.Length..].Split(' ')[0]);
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            // Generous: a cold start of the runtime on a loaded two-core machine.
            return new ServeProcess(process, log, await listening.Task.WaitAsync(TimeSpan.FromSeconds(60)));
        }
        catch (Exception e)
        {
            Stop(process);
            string text;
            lock (log) text = log.ToString();
            throw new InvalidOperationException($"{string.Join(' ', program)} serve did not start ({e.Message}):\n{text}");
        }
    }

    /// <summary>A command line in <paramref name="workingDirectory"/> with only the given S3 Overlay settings.</summary>
    public static ProcessStartInfo Command(string program, string workingDirectory, IDictionary<string, string>? environment, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(program, args)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("S3_OVERLAY_", StringComparison.Ordinal) || k.StartsWith("ASPNETCORE_", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(name);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        return info;
    }

    private static void Stop(Process process)
    {
        try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } // already gone
        process.WaitForExit(10_000);
        process.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Stop(_process);
        return ValueTask.CompletedTask;
    }
}
