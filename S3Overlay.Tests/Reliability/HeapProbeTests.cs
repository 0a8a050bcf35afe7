using S3Overlay.HeapProbe;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Reliability;

/// <summary>The soak's heap probe, loaded into a real proxy by DOTNET_STARTUP_HOOKS: it answers, and the proxy keeps serving.</summary>
[FunctionalTests]
public sealed class HeapProbeTests
{
    [Fact]
    public async Task A_proxy_started_with_the_probe_says_what_is_alive_and_keeps_serving()
    {
        var root = Directory.CreateTempSubdirectory("s3overlay-probe-").FullName;
        var socket = Path.Combine(root, "heap-probe.sock");
        try
        {
            await using var proxy = await ProxyProcess.StartAsync(new Dictionary<string, string>
            {
                ["S3_OVERLAY_DATA_DIR"] = Path.Combine(root, "data"),
                ["DOTNET_STARTUP_HOOKS"] = Path.Combine(AppContext.BaseDirectory, "S3Overlay.HeapProbe.dll"),
                [LiveHeapProbe.SocketVariable] = socket,
            });
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var first = await LiveHeapProbe.AskAsync(socket, cancel.Token);
            var second = await LiveHeapProbe.AskAsync(socket, cancel.Token);
            // A started ASP.NET Core app holds hundreds of KiB (about 0.8 MiB here), far from 512 MiB:
            // a figure outside this is not a heap count.
            Assert.InRange(first.LiveBytes, 256 << 10, 512 << 20);
            Assert.InRange(second.LiveBytes, 256 << 10, 512 << 20);
            Assert.True(first.PauseMs > 0, $"pause {first.PauseMs} ms: no collection ran");
            using var client = S3Clients.Create(proxy.Url, ProxyServer.AccessKey, ProxyServer.SecretKey);
            await client.PutBucketAsync("probed");
            Assert.Contains((await client.ListBucketsAsync()).Buckets, b => b.BucketName == "probed");
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }
}
