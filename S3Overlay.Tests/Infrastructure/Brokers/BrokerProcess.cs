using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace S3Overlay.Tests.Infrastructure.Brokers;

/// <summary>
/// A broker (nats-server, redis-server, mosquitto, postgres) run by a test in the foreground, on a
/// free loopback port with a temp folder of its own, killed and its folder removed on dispose. A
/// broker that is not installed skips the test, saying which Debian package brings it
/// (build/install-test-tools.sh installs them).
/// </summary>
public sealed class BrokerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output;

    private BrokerProcess(Process process, int port, string folder, System.Collections.Concurrent.ConcurrentQueue<string> output)
    {
        _process = process;
        _output = output;
        Port = port;
        Folder = folder;
    }

    public int Port { get; }

    /// <summary>The broker's own temp folder (its data, its configuration).</summary>
    public string Folder { get; }

    /// <param name="program">The broker's binary; the test skips when it is not there.</param>
    /// <param name="package">The Debian package that installs it.</param>
    /// <param name="arguments">Its arguments, given the port and the folder.</param>
    /// <param name="prepare">Run before each start, given the port and the folder (a configuration file, initdb).</param>
    /// <param name="asUser">Run as this user (PostgreSQL refuses root) when the tests run as root.</param>
    public static async Task<BrokerProcess> StartAsync(string program, string package, Func<int, string, string[]> arguments,
        Func<int, string, Task>? prepare = null, string? asUser = null)
    {
        if (!File.Exists(program)) Assert.Skip($"{program} is not installed (Debian: {package}; build/install-test-tools.sh installs it)");
        var failures = new List<string>();
        // Twice: a port picked free can be taken by another process before the broker binds it.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var port = FreePort();
            var folder = Directory.CreateTempSubdirectory(Path.GetFileName(program) + "-").FullName;
            if (prepare is not null) await prepare(port, folder);
            var info = Launch(program, arguments(port, folder), asUser);
            info.RedirectStandardOutput = true;
            info.RedirectStandardError = true;
            info.UseShellExecute = false;
            var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
            var process = Process.Start(info)!;
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var broker = new BrokerProcess(process, port, folder, output);
            if (await broker.ListeningAsync()) return broker;
            failures.Add(string.Join(" | ", output.TakeLast(10)));
            await broker.DisposeAsync();
        }
        throw new InvalidOperationException($"{program} did not start: {string.Join(" || ", failures)}");
    }

    /// <summary>Runs a program to its end (initdb), as <paramref name="asUser"/> when the tests run as root; fails the test on a non-zero exit.</summary>
    public static async Task RunAsync(string program, string[] arguments, string? asUser = null)
    {
        var info = Launch(program, arguments, asUser);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} exited {process.ExitCode}: {await stdout} {await stderr}");
    }

    /// <summary>The program, run as <paramref name="asUser"/> (by setpriv, which execs it: a kill reaches it) when the tests run as root.</summary>
    private static ProcessStartInfo Launch(string program, string[] arguments, string? asUser) =>
        asUser is not null && Environment.UserName == "root"
            ? new ProcessStartInfo("/usr/bin/setpriv", ["--reuid=" + asUser, "--regid=" + asUser, "--init-groups", program, .. arguments])
            : new ProcessStartInfo(program, arguments);

    private async Task<bool> ListeningAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30) && !_process.HasExited)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        return false;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
