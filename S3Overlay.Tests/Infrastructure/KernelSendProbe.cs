using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using S3Overlay.Hosting.KernelSends;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>What the tests of bodies sent by the kernel (Hosting/KernelSends) look at it with.</summary>
internal static class KernelSendProbe
{
    /// <summary>The proxy's own counts of the file bytes its connections sent, by the kernel or copied.</summary>
    public static KernelSendCounts Counts(ProxyServer proxy) =>
        proxy.Services.GetServices<IConnectionListenerFactory>().OfType<KernelSendTransport>().Single().Counts;

    /// <summary>
    /// Asserts that the proxy's connections have sent exactly <paramref name="expected"/> file bytes
    /// in all, once its counting has caught up: a client can read a send's last bytes before the
    /// proxy's thread, back from the system call that sent them, has counted them.
    /// </summary>
    public static async Task AssertFileBytesSentAsync(ProxyServer proxy, long expected)
    {
        var counts = Counts(proxy);
        await Polling.EventuallyAsync(() => counts.BytesByKernel + counts.BytesCopied >= expected, $"{expected} file bytes counted as sent");
        Assert.Equal(expected, counts.BytesByKernel + counts.BytesCopied);
    }

    /// <summary>A signed client whose socket takes 4 KiB at a time: the proxy's side of it fills at once.</summary>
    public static HttpClient NarrowClient(ProxyServer proxy) => new(new SigningHandler(inner: new SocketsHttpHandler
    {
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
            await socket.ConnectAsync(context.DnsEndPoint, ct);
            return new NetworkStream(socket, ownsSocket: true);
        },
    })) { BaseAddress = new Uri(proxy.Url + "/") };

    /// <summary>
    /// Reads a body 16 KiB at a time, pausing every 256 KiB (slower than the proxy sends), and
    /// checks it whole, and that the proxy's socket filled and was waited for between kernel sends:
    /// the body's are all the file bytes the proxy has sent.
    /// </summary>
    public static async Task ReadSlowlyAndCheckAsync(ProxyServer proxy, HttpResponseMessage response, long length, int seed)
    {
        await using var body = await response.Content.ReadAsStreamAsync();
        var all = new MemoryStream();
        var piece = new byte[16 * 1024];
        for (int n, reads = 0; (n = await body.ReadAsync(piece)) > 0; reads++)
        {
            all.Write(piece, 0, n);
            if (reads % 16 == 0) await Task.Delay(5);
        }
        all.Position = 0;
        Assert.Equal(length, all.Length);
        Assert.Null(await PatternData.MismatchAsync(all, 0, length, seed));
        await AssertFileBytesSentAsync(proxy, length);
        var counts = Counts(proxy);
        Assert.True(counts.BytesCopied > 0, "the full socket was never waited for");
        Assert.True(counts.BytesByKernel > 0);
    }

    /// <summary>What the connections' send loops log at Warning and above.</summary>
    public sealed class SendWarnings : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();
        public ILogger CreateLogger(string category) => category.Contains("KernelSend", StringComparison.Ordinal) ? new Recorder(Lines) : NullLogger.Instance;
        public void Dispose() { }

        private sealed class Recorder(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel level) => level >= LogLevel.Warning;
            public void Log<TState>(LogLevel level, EventId id, TState state, Exception? e, Func<TState, Exception?, string> format) =>
                lines.Enqueue($"{level}: {format(state, e)} {e}");
        }
    }
}
