using System.Diagnostics;
using System.Text.RegularExpressions;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// The proxy as a child process (<c>dotnet S3Overlay.Proxy.dll</c>, built beside the tests), on
/// 127.0.0.1:0, configured by environment variables: what can be killed with SIGKILL, and whose
/// memory and file descriptors can be read from /proc.
/// </summary>
public sealed partial class ProxyProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output;

    /// <summary>The last lines the process wrote (warnings and errors: why a request failed), credential notices left out.</summary>
    public string RecentOutput => string.Join(Environment.NewLine, _output.Where(l => !l.Contains("No credentials", StringComparison.Ordinal)).TakeLast(30));

    private ProxyProcess(Process process, string url, System.Collections.Concurrent.ConcurrentQueue<string> output)
    {
        _process = process;
        _output = output;
        Url = url;
    }

    public string Url { get; }
    public int Pid => _process.Id;

    /// <param name="url">Where it listens; a free port of its choice on 127.0.0.1 when null.</param>
    public static async Task<ProxyProcess> StartAsync(IDictionary<string, string> environment, string? url = null)
    {
        var info = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "S3Overlay.Proxy.dll"), "--urls", url ?? "http://127.0.0.1:0"])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        foreach (var (name, value) in environment) info.Environment[name] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) { listening.TrySetException(new InvalidOperationException("the proxy exited: " + string.Join("\n", output))); return; }
            output.Enqueue(e.Data);
            if (ListeningLine().Match(e.Data) is { Success: true } match) listening.TrySetResult(match.Groups[1].Value);
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            return new ProxyProcess(process, await listening.Task.WaitAsync(TimeSpan.FromSeconds(60)), output);
        }
        catch
        {
            process.Kill();
            process.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing; then waits until the process is gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>Peak resident memory (VmHWM), in MiB.</summary>
    public double PeakRssMiB => ProcStatus("VmHWM") / 1024.0;

    /// <summary>Resident memory now (VmRSS), in MiB.</summary>
    public double RssMiB => ProcStatus("VmRSS") / 1024.0;

    public int OpenFileDescriptors => Directory.GetFileSystemEntries($"/proc/{Pid}/fd").Length;

    public int Threads => (int)ProcStatus("Threads");

    private long ProcStatus(string field) =>
        File.ReadLines($"/proc/{Pid}/status").Where(l => l.StartsWith(field + ":", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1])).First();

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
