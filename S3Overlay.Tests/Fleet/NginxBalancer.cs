using System.Diagnostics;
using System.Net.Sockets;

namespace S3Overlay.Tests.Fleet;

/// <summary>
/// nginx as the load balancer in front of a fleet: a round-robin <c>upstream</c> (it does not hash,
/// so any replica gets any key) on loopback, in the foreground, with its configuration and files
/// in a folder of its own. A replica that refuses connections is skipped (<c>proxy_next_upstream</c>).
/// </summary>
public sealed class NginxBalancer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private NginxBalancer(Process process, string folder, string url)
    {
        _process = process;
        _folder = folder;
        Url = url;
    }

    public string Url { get; }

    public static async Task<NginxBalancer> StartAsync(IEnumerable<string> upstreams)
    {
        var folder = Directory.CreateTempSubdirectory("s3overlay-nginx-").FullName;
        var port = FreePorts.Take();
        var servers = string.Concat(upstreams.Select(u => $"    server {new Uri(u).Authority} max_fails=1 fail_timeout=5s;\n"));
        // Hosts and signatures pass through untouched: the client signed the Host it sent.
        await File.WriteAllTextAsync(Path.Combine(folder, "nginx.conf"), $$"""
            daemon off;
            master_process off;
            worker_processes 1;
            pid {{folder}}/nginx.pid;
            error_log {{folder}}/error.log warn;
            events { worker_connections 2048; }
            http {
              access_log off;
              client_body_temp_path {{folder}}/body;
              proxy_temp_path {{folder}}/proxy;
              fastcgi_temp_path {{folder}}/fastcgi;
              uwsgi_temp_path {{folder}}/uwsgi;
              scgi_temp_path {{folder}}/scgi;
              upstream fleet {
            {{servers}}    keepalive 64;
              }
              server {
                listen 127.0.0.1:{{port}};
                client_max_body_size 0;
                location / {
                  proxy_pass http://fleet;
                  proxy_http_version 1.1;
                  proxy_set_header Connection "";
                  proxy_set_header Host $http_host;
                  proxy_buffering off;
                  proxy_request_buffering off;
                  proxy_next_upstream error timeout;
                  proxy_connect_timeout 2s;
                }
              }
            }
            """);
        var info = new ProcessStartInfo("nginx", ["-p", folder, "-c", Path.Combine(folder, "nginx.conf"), "-e", Path.Combine(folder, "error.log")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start nginx");
        var balancer = new NginxBalancer(process, folder, $"http://127.0.0.1:{port}");
        try
        {
            await EventuallyAsync(async () =>
            {
                if (process.HasExited) throw new InvalidOperationException("nginx exited: " + await process.StandardError.ReadToEndAsync());
                using var probe = new TcpClient();
                try { await probe.ConnectAsync("127.0.0.1", port); return true; }
                catch (SocketException) { return false; }
            }, "nginx listens");
        }
        catch
        {
            await balancer.DisposeAsync();
            throw;
        }
        return balancer;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Free loopback ports, for servers that must know each other's address before they start.</summary>
public static class FreePorts
{
    public static int Take() => Take(1)[0];

    /// <summary>
    /// <paramref name="count"/> different ports: each held until all are taken, since a port let go
    /// can be the very next one handed out (two replicas of a fleet were given one port, seen).
    /// </summary>
    public static int[] Take(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(System.Net.IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return [.. listeners.Select(l => ((System.Net.IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }
}
