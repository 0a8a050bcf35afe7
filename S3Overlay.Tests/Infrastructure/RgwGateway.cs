using System.Diagnostics;
using System.Net.Sockets;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// A radosgw of an <see cref="RgwCluster"/> that one test owns: the cluster's users and buckets
/// on a port of its own, so the test can kill it (the S3 server lost mid-request, as a crash
/// loses it) and start it again on the same port. Kill one only on a cluster of the test's own:
/// its dead watches hold every other gateway's metadata writes (CreateBucket) for 10-30 s. It
/// stops when disposed, or when the test process dies (its stdin closes).
/// </summary>
public sealed class RgwGateway : IAsyncDisposable
{
    private readonly string _clusterDirectory;
    private Process? _process;

    private RgwGateway(string clusterDirectory, int port)
    {
        _clusterDirectory = clusterDirectory;
        Url = $"http://127.0.0.1:{port}";
    }

    public string Url { get; }

    public static async Task<RgwGateway> StartAsync(string clusterDirectory)
    {
        using var probe = new TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var gateway = new RgwGateway(clusterDirectory, port);
        await gateway.StartAsync();
        return gateway;
    }

    /// <summary>Starts radosgw (again) and returns once it answers S3.</summary>
    public async Task StartAsync()
    {
        if (_process is { HasExited: false }) throw new InvalidOperationException("this gateway runs already");
        _process?.Dispose();
        var info = new ProcessStartInfo("bash", [RgwCluster.Script, "gateway", _clusterDirectory, new Uri(Url).Port.ToString()])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start radosgw");
        _process = process;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"radosgw exited with {process.ExitCode}: {(await stderr).Trim()}");
            try
            {
                using var _ = await http.GetAsync(Url);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new InvalidOperationException($"radosgw did not answer on {Url} within 60 s");
                await Task.Delay(50);
            }
        }
    }

    /// <summary>Kills radosgw at once (SIGKILL): connections reset, requests in flight unanswered.</summary>
    public async Task KillAsync()
    {
        if (_process is not { HasExited: false } process) return;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }
}
