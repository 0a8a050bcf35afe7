using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// Python scripts run as forks of one process that imported boto3 once (Clients/python_forks.py),
/// each with its own arguments, environment, folder, outputs and exit code, as
/// <c>/usr/bin/python3 script.py</c> runs them. The suite runs about a hundred boto3 scripts, and
/// each spent about 0.4 s of CPU starting Python and importing boto3 before its first line
/// (0.75 s with its first client, 29 Nov); a fork starts in milliseconds. One fork server for the
/// test process, started by the first script.
/// </summary>
internal static class PythonForks
{
    public const string Python = "/usr/bin/python3";

    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "Clients", "python_forks.py");
    private static readonly Lazy<Task<string>> Server = new(StartAsync);

    // Held for the test process's life: collected, its standard input would close, and the server end.
    private static Process? _server;

    /// <summary>Whether the program and its arguments are a script this runs: Debian's Python and a .py file first.</summary>
    public static bool Runs(string program, IReadOnlyList<string> arguments) =>
        program == Python && arguments is [var script, ..] && script.EndsWith(".py", StringComparison.Ordinal) && File.Exists(script);

    public static async Task<ClientResult> RunAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string directory, TimeSpan timeout)
    {
        var socketPath = await Server.Value;
        var outputs = Directory.CreateTempSubdirectory("s3overlay-fork-").FullName;
        try
        {
            var (stdout, stderr) = (Path.Combine(outputs, "stdout"), Path.Combine(outputs, "stderr"));
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var request = JsonSerializer.Serialize(new { argv = arguments, env = environment, cwd = directory, stdout, stderr });
            await stream.WriteAsync(Encoding.UTF8.GetBytes(request + "\n"));
            using var answer = new StreamReader(stream, Encoding.UTF8);
            var pid = int.Parse(await answer.ReadLineAsync() ?? throw new InvalidOperationException("The Python fork server did not fork the script"));
            string? exit;
            using (var overrun = new CancellationTokenSource(timeout))
            {
                try
                {
                    exit = await answer.ReadLineAsync(overrun.Token);
                }
                catch (OperationCanceledException)
                {
                    try { Process.GetProcessById(pid).Kill(entireProcessTree: true); } catch (ArgumentException) { } catch (InvalidOperationException) { }
                    throw new TimeoutException($"{Python} {string.Join(' ', arguments)} did not finish in {timeout.TotalSeconds} s\nstderr:\n{ReadAll(stderr)}");
                }
            }
            if (exit is null) throw new InvalidOperationException($"The Python fork server ended while {string.Join(' ', arguments)} ran");
            return new ClientResult(int.Parse(exit), ReadAll(stdout), ReadAll(stderr));
        }
        finally
        {
            try { Directory.Delete(outputs, recursive: true); } catch (IOException) { }
        }
    }

    private static string ReadAll(string path) => File.Exists(path) ? File.ReadAllText(path) : "";

    /// <summary>Starts the fork server with an environment of nothing but PATH and locale (each script brings its own); its path, once it listens.</summary>
    private static async Task<string> StartAsync()
    {
        var socketPath = Path.Combine(Directory.CreateTempSubdirectory("s3overlay-forks-").FullName, "socket");
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add(socketPath);
        start.Environment.Clear();
        start.Environment["PATH"] = ClientProcess.SystemPath;
        start.Environment["LANG"] = "C.UTF-8";
        start.Environment["LC_ALL"] = "C.UTF-8";
        // Never closed or disposed: its standard input closes as the test process ends, and so it ends.
        var process = _server = Process.Start(start) ?? throw new InvalidOperationException("Could not start the Python fork server");
        var ready = await process.StandardOutput.ReadLineAsync();
        if (ready != "ready") throw new InvalidOperationException($"The Python fork server did not start: {ready}");
        return socketPath;
    }
}
