using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using S3Overlay.Tests.Cli;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Deployment;

/// <summary>
/// <c>deploy/systemd/s3overlay.service</c>: systemd's own checker accepts it, and the server keeps
/// the promise of its <c>Type=notify</c>: READY=1 on the notify socket once it listens, STOPPING=1
/// on SIGTERM, then a clean exit.
/// </summary>
[FunctionalTests]
public sealed class SystemdServiceTests : IDisposable
{
    private static readonly string Unit = Path.Combine(RepoPaths.Root, "deploy", "systemd", "s3overlay.service");
    private readonly string _dir = Directory.CreateTempSubdirectory("s3overlay-systemd-").FullName;

    [Fact]
    public async Task Systemd_verifies_the_unit_file_without_a_warning()
    {
        // The unit names the installed program; verify checks that it is executable, so point it at a stand-in.
        var program = Path.Combine(_dir, "s3overlay");
        File.Copy("/bin/true", program);
        var unit = Path.Combine(_dir, "s3overlay.service");
        await File.WriteAllTextAsync(unit, (await File.ReadAllTextAsync(Unit)).Replace("/usr/local/bin/s3overlay", program));

        var verify = await RunAsync("systemd-analyze", "verify", unit);
        Assert.True(verify.ExitCode == 0 && verify.Output.Trim().Length == 0, $"systemd-analyze verify said (exit {verify.ExitCode}):\n{verify.Output}");
        Assert.Contains("Type=notify", await File.ReadAllTextAsync(Unit));
    }

    [Fact]
    public async Task Under_systemd_the_server_says_when_it_is_ready_and_when_it_stops()
    {
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        var socketPath = Path.Combine(_dir, "notify");
        notify.Bind(new UnixDomainSocketEndPoint(socketPath));

        // .NET takes a process for a systemd service when its parent is named systemd: a shell under that name is one.
        var systemd = Path.Combine(_dir, "systemd");
        File.Copy("/bin/sh", systemd);
        File.SetUnixFileMode(systemd, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var data = Directory.CreateDirectory(Path.Combine(_dir, "data")).FullName;
        var proxy = $"dotnet '{Path.Combine(AppContext.BaseDirectory, "S3Overlay.Proxy.dll")}' serve --listen http://127.0.0.1:0 --data-dir '{data}'";
        var info = ServeProcess.Command(systemd, _dir, new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socketPath }, ["-c", proxy + "; exit $?"]);
        using var shell = Process.Start(info)!;
        try
        {
            Assert.Equal("READY=1", await ReceiveAsync(notify));
            var server = ChildOf(shell.Id);
            // Ready means listening: the line with the address is out, and the address answers.
            var url = (await WaitForListeningLineAsync(shell)).Split(' ')[0];
            using (var http = new HttpClient())
                Assert.True((await http.GetAsync(url + "/_overlay/health")).IsSuccessStatusCode);

            Assert.Equal(0, kill(server, SIGTERM));
            Assert.Equal("STOPPING=1", await ReceiveAsync(notify));
            await shell.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
            Assert.Equal(0, shell.ExitCode);
        }
        finally
        {
            try { shell.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        }
    }

    private const int SIGTERM = 15;

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private static async Task<string> ReceiveAsync(Socket socket)
    {
        var buffer = new byte[1024];
        var received = await socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(60));
        return Encoding.UTF8.GetString(buffer, 0, received).Trim();
    }

    private static int ChildOf(int pid) =>
        int.Parse(File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries).Single());

    private static async Task<string> WaitForListeningLineAsync(Process shell)
    {
        const string listening = "s3overlay: listening on ";
        while (await shell.StandardOutput.ReadLineAsync() is { } line)
            if (line.StartsWith(listening, StringComparison.Ordinal)) return line[listening.Length..];
        throw new InvalidOperationException("the server stopped before it said where it listens");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
