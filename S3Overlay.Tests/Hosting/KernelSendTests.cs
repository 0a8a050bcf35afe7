using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using S3Overlay.Hosting.KernelSends;
using S3Overlay.Tests.Infrastructure;
using static S3Overlay.Tests.Infrastructure.KernelSendProbe;
using S3Overlay.Configuration.Catalog;

namespace S3Overlay.Tests.Hosting;

/// <summary>
/// Local bodies of 64 KiB and more handed to the kernel (<c>sendfile</c>, Hosting/KernelSends) on
/// plain HTTP/1.x connections: byte for byte what a copy sends, in their place among the
/// connection's other bytes, and sent by the kernel (the transport's counts say so) through
/// keep-alive, pipelining, ranges, slow readers and clients that leave. TLS keeps the copy.
/// </summary>
[FunctionalTests]
public sealed class KernelSendTests
{
    private const int Big = 3 * 1024 * 1024 + 17;
    private const int Small = 4096;

    [Fact]
    public async Task Local_bodies_go_by_the_kernel_whole_and_in_ranges_small_ones_are_copied()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var client = proxy.CreateClient();
        await SeedAsync(client);
        var counts = Counts(proxy);

        await AssertBodyAsync(client, "big.bin", Big, seed: 1);
        await AssertFileBytesSentAsync(proxy, Big);
        Assert.True(counts.BytesByKernel > 0);

        using (var range = await client.GetObjectAsync(new GetObjectRequest { BucketName = "files", Key = "big.bin", ByteRange = new ByteRange(1000, 1_500_999) }))
            Assert.Null(await PatternData.MismatchAsync(range.ResponseStream, 1000, 1_500_000, seed: 1));
        await AssertFileBytesSentAsync(proxy, Big + 1_500_000);

        await AssertBodyAsync(client, "small.bin", Small, seed: 2);
        using (await client.GetObjectAsync(new GetObjectRequest { BucketName = "files", Key = "big.bin", ByteRange = new ByteRange(0, 9) })) { }
        Assert.Equal(Big + 1_500_000, counts.BytesByKernel + counts.BytesCopied); // small bodies and ranges are copied
    }

    [Fact]
    public async Task Pipelined_requests_get_their_answers_whole_and_in_order()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var client = proxy.CreateClient();
        await SeedAsync(client);
        // (key, first byte, length, seed); a range among them
        var reads = new[] { ("big.bin", 0L, Big, 1), ("small.bin", 0L, Small, 2), ("big.bin", 100L, 200_000, 1), ("big.bin", 0L, Big, 1) };

        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        var uri = new Uri(proxy.Url);
        await socket.ConnectAsync(uri.Host, uri.Port);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var requests = string.Concat(reads.Select(r => $"GET {Target(client, r.Item1)} HTTP/1.1\r\nHost: {uri.Authority}\r\n"
            + (r.Item3 == Big || r.Item3 == Small ? "" : $"Range: bytes={r.Item2}-{r.Item2 + r.Item3 - 1}\r\n") + "\r\n"));
        await stream.WriteAsync(Encoding.ASCII.GetBytes(requests)); // all at once: each answer waits behind the one before

        foreach (var (_, first, length, seed) in reads)
        {
            var (status, sent) = await ReadHeadAsync(stream);
            Assert.Equal(first == 0 ? 200 : 206, status);
            Assert.Equal(length, sent);
            var body = new byte[sent];
            await stream.ReadExactlyAsync(body);
            Assert.Null(await PatternData.MismatchAsync(new MemoryStream(body), first, length, seed));
        }
        await AssertFileBytesSentAsync(proxy, 2L * Big + 200_000);
    }

    [Fact]
    public async Task A_slow_reader_gets_every_byte_the_socket_waited_for_between_kernel_sends()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var client = proxy.CreateClient();
        await SeedAsync(client);
        using var http = NarrowClient(proxy);

        using var response = await http.GetAsync("files/big.bin", HttpCompletionOption.ResponseHeadersRead);
        await ReadSlowlyAndCheckAsync(proxy, response, Big, seed: 1);
    }

    /// <summary>
    /// A client that stops reading for a while (its consumer busy, its process starved) still gets
    /// the whole body within S3_OVERLAY_SEND_TIMEOUT: Kestrel's own 5 s cut 1 of 32 cold readers of
    /// one fill on busy cores (a connection reset mid-body). Past the timeout the connection is closed.
    /// </summary>
    [Theory]
    [InlineData(null, true)]
    [InlineData("2", false)]
    public async Task A_reader_that_pauses_gets_the_rest_unless_it_pauses_past_the_send_timeout(string? sendTimeout, bool served)
    {
        await using var proxy = await ProxyServer.StartAsync(new Dictionary<string, string?> { ["S3_OVERLAY_SEND_TIMEOUT"] = sendTimeout });
        using var client = proxy.CreateClient();
        await SeedAsync(client);
        using var http = NarrowClient(proxy);

        using var response = await http.GetAsync("files/big.bin", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var all = new MemoryStream();
        var piece = new byte[64 * 1024];
        all.Write(piece, 0, await body.ReadAsync(piece));
        await Task.Delay(TimeSpan.FromSeconds(7)); // past Kestrel's 5 s grace and its 1 s heartbeat
        if (!served)
        {
            await Assert.ThrowsAnyAsync<IOException>(() => body.CopyToAsync(all));
            return;
        }
        await body.CopyToAsync(all);
        all.Position = 0;
        Assert.Equal(Big, all.Length);
        Assert.Null(await PatternData.MismatchAsync(all, 0, Big, seed: 1));
    }

    [Fact]
    public async Task A_client_that_leaves_mid_body_leaves_the_server_serving_and_no_warning()
    {
        var warnings = new SendWarnings();
        await using var proxy = await ProxyServer.StartAsync(configure: b => b.Logging.AddProvider(warnings));
        using var client = proxy.CreateClient();
        await SeedAsync(client);
        // Larger than a wide connection's buffers take (a few MiB each way), so sendfile itself meets the hang-up.
        await client.PutObjectAsync(new PutObjectRequest { BucketName = "files", Key = "huge.bin", InputStream = PatternData.Open(32 << 20, 3) });
        for (var i = 0; i < 6; i++)
        {
            // A narrow socket fills at once (the wait's path); a wide one takes megabytes (sendfile's own).
            using var http = i % 2 == 0 ? NarrowClient(proxy) : proxy.CreateHttpClient();
            using var response = await http.GetAsync(i % 2 == 0 ? "files/big.bin" : "files/huge.bin", HttpCompletionOption.ResponseHeadersRead);
            await using var body = await response.Content.ReadAsStreamAsync();
            await body.ReadExactlyAsync(new byte[64 * 1024]);
        } // each hangs up with megabytes unsent

        await AssertBodyAsync(client, "big.bin", Big, seed: 1); // and the proxy logged no error (its teardown checks)
        Assert.Empty(warnings.Lines); // a client that goes is no failure to tell an operator of
    }

    /// <summary>
    /// A send that meets the client's reset ends the connection as Kestrel's own loop does, as a
    /// reset (<see cref="ConnectionResetException"/>): the reason also ends the connection's input,
    /// and an upload still reading its body (its 100 Continue was the send) must take it for a
    /// client that went, not log an error of its own (it did, in 1 fresh-clone CI run of 4).
    /// </summary>
    [Fact]
    public async Task A_send_that_meets_the_clients_reset_ends_the_connection_as_a_reset()
    {
        using var sockets = await LoopbackPair.OpenAsync();
        sockets.Client.LingerState = new LingerOption(true, 0);
        sockets.Client.Close(); // a reset
        Assert.True(sockets.Server.Poll(TimeSpan.FromSeconds(10), SelectMode.SelectRead), "the reset never arrived");
        var inner = new AbortRecorder();

        var connection = new KernelSendConnection(inner, sockets.Server, new KernelSendCounts(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        await connection.Transport.Output.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray());
        var reason = await inner.Aborted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await connection.DisposeAsync();

        Assert.IsType<ConnectionResetException>(reason.InnerException);
    }

    /// <summary>Both ends of a new loopback TCP connection: the client's, and the server's.</summary>
    private sealed record LoopbackPair(Socket Client, Socket Server) : IDisposable
    {
        public static async Task<LoopbackPair> OpenAsync()
        {
            using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen();
            var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await client.ConnectAsync(listener.LocalEndPoint!);
            return new LoopbackPair(client, await listener.AcceptAsync());
        }

        public void Dispose()
        {
            Client.Dispose();
            Server.Dispose();
        }
    }

    /// <summary>The connection under a <see cref="KernelSendConnection"/>: records why it was aborted.</summary>
    private sealed class AbortRecorder : ConnectionContext
    {
        public TaskCompletionSource<ConnectionAbortedException> Aborted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public override IDuplexPipe Transport { get; set; } = new Pipes(new Pipe(), new Pipe());
        public override string ConnectionId { get; set; } = "recorded";
        public override IFeatureCollection Features { get; } = new FeatureCollection();
        public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();
        public override void Abort(ConnectionAbortedException abortReason) => Aborted.TrySetResult(abortReason);

        private sealed class Pipes(Pipe input, Pipe output) : IDuplexPipe
        {
            public PipeReader Input => input.Reader;
            public PipeWriter Output => output.Writer;
        }
    }

    /// <summary>
    /// The send loop ends without a word on a disposed object, as it must for its own socket when
    /// the connection is aborted: a file closed before its send (our bug, never the client's)
    /// would then pass for a client that left. It is told apart.
    /// </summary>
    [Fact]
    public async Task A_file_closed_before_its_send_is_an_error_not_a_client_that_left()
    {
        using var sockets = await LoopbackPair.OpenAsync();
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, new byte[128 * 1024]);
            var file = File.OpenHandle(path);
            file.Dispose();
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                SendFile.SendAsync(sockets.Server, new S3Overlay.Streams.FileRange(file, 0, 128 * 1024), new KernelSendCounts()));
            Assert.IsType<ObjectDisposedException>(error.InnerException);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Over_tls_bodies_are_copied_through_the_encryption()
    {
        var dir = Directory.CreateTempSubdirectory("s3overlay-kernel-tls-").FullName;
        try
        {
            var (cert, key) = (Path.Combine(dir, "cert.pem"), Path.Combine(dir, "key.pem"));
            var ca = TestCertificates.WriteSelfSigned("kernel sends", cert, key);
            await using var proxy = await ProxyServer.StartAsync(new Dictionary<string, string?>
                { ["S3_OVERLAY_TLS_CERT"] = cert, ["S3_OVERLAY_TLS_KEY"] = key, ["urls"] = "https://127.0.0.1:0" });
            using var client = TestCertificates.TrustingClient(proxy.Url, ca);
            await SeedAsync(client);
            await AssertBodyAsync(client, "big.bin", Big, seed: 1);
            Assert.Equal(0, Counts(proxy).BytesByKernel + Counts(proxy).BytesCopied);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task With_S3_OVERLAY_SENDFILE_false_every_body_is_copied_by_Kestrels_own_transport()
    {
        await using var proxy = await ProxyServer.StartAsync(new Dictionary<string, string?> { [ServerCatalog.Sendfile.Name] = "false" });
        using var client = proxy.CreateClient();
        await SeedAsync(client);
        await AssertBodyAsync(client, "big.bin", Big, seed: 1);
        Assert.Empty(proxy.Services.GetServices<IConnectionListenerFactory>().OfType<KernelSendTransport>());
    }

    private static async Task SeedAsync(IAmazonS3 client)
    {
        await client.PutBucketAsync("files");
        foreach (var (key, size, seed) in new[] { ("big.bin", Big, 1), ("small.bin", Small, 2) })
            await client.PutObjectAsync(new PutObjectRequest { BucketName = "files", Key = key, InputStream = PatternData.Open(size, seed) });
    }

    private static async Task AssertBodyAsync(IAmazonS3 client, string key, long size, int seed)
    {
        using var get = await client.GetObjectAsync("files", key);
        Assert.Equal(size, get.ContentLength);
        Assert.Null(await PatternData.MismatchAsync(get.ResponseStream, 0, size, seed));
    }

    /// <summary>A presigned request target, to write raw requests with.</summary>
    private static string Target(IAmazonS3 client, string key) =>
        new Uri(client.GetPreSignedURL(new GetPreSignedUrlRequest
            { BucketName = "files", Key = key, Verb = HttpVerb.GET, Expires = DateTime.UtcNow.AddMinutes(5), Protocol = Protocol.HTTP })).PathAndQuery;

    /// <summary>A response's status and Content-Length, its head read byte by byte (the body follows on the same stream).</summary>
    private static async Task<(int Status, int Length)> ReadHeadAsync(Stream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            await stream.ReadExactlyAsync(one);
            head.Append((char)one[0]);
        }
        var lines = head.ToString().Split("\r\n");
        var length = lines.Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            .Select(p => int.Parse(p[1].Trim())).Single();
        return (int.Parse(lines[0].Split(' ')[1]), length);
    }
}
