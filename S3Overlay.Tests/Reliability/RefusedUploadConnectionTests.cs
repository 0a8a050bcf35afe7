using System.Net.Sockets;
using System.Text;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Reliability.Fuzz;

namespace S3Overlay.Tests.Reliability;

/// <summary>
/// A client that sends <c>Expect: 100-continue</c> (boto3, the aws CLI) and gets
/// a final refusal instead of <c>100 Continue</c> sends no body and reuses the connection. If the
/// server kept the connection waiting for that body, it read the client's next request as the body
/// (a DELETE arrived as <c>ELETE</c>). RFC 9110 §10.1.1 lets the server close the connection: the
/// refusal says <c>Connection: close</c> and the server closes it, so no later request is eaten.
/// A request that was invited (100 Continue, then its body) keeps its connection. boto3's own case
/// (a refused PutObject, then the next request) is in boto3_conformance.py.
/// </summary>
[ReliabilityTests]
[StartsFirst]
public sealed class RefusedUploadConnectionTests : IAsyncLifetime
{
    private ProxyServer _proxy = null!;
    private int _port;
    private const string Bucket = "expect-bucket";

    public async ValueTask InitializeAsync()
    {
        _proxy = await ProxyServer.StartAsync();
        _port = new Uri(_proxy.Url).Port;
        using var s3 = _proxy.CreateClient();
        await s3.PutBucketAsync(Bucket);
    }

    public ValueTask DisposeAsync() => _proxy.DisposeAsync();

    public static TheoryData<string> Refusals => ["unknown access key", "wrong secret", "unknown upload", "anonymous write", "missing bucket"];

    /// <summary>
    /// A client that resets its connection in the middle of an upload (a process killed while it
    /// sent, as a fleet's replica storing a fill in the shared store): the upload is not stored, and
    /// the server has nothing to complain about: a read that the reset cancelled, left pending in
    /// Kestrel, would make its draining of the body fail and be logged as an error (the proxy's
    /// teardown fails on any), for every such request.
    /// </summary>
    [Fact]
    public async Task An_upload_reset_by_its_client_mid_body_is_not_stored_and_logs_no_error()
    {
        for (var i = 0; i < 30; i++)
        {
            var request = new RawRequest("PUT", $"/{Bucket}/reset-{i}") { Body = new byte[256 * 1024] };
            if (i % 2 == 0) request.Header("Expect", "100-continue");
            using var connection = await Connection.OpenAsync(_port);
            await connection.SendHeadersOnlyAsync(request);
            // The server is reading the body (after its 100 Continue, unread here) when the reset comes.
            await Task.Delay(20);
            await connection.TrySendAsync(new byte[i % 6 * 20000 + 1]);
            connection.Reset();
        }
        using var s3 = _proxy.CreateClient();
        await Polling.EventuallyAsync(async () => (await s3.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = Bucket })).S3Objects is null or [],
            "no reset upload stored");
        await _proxy.DisposeAsync(); // fails on an error the proxy logged
        _proxy = await ProxyServer.StartAsync();
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_refused_upload_that_waited_for_100_continue_closes_its_connection(string refusal)
    {
        var (request, status, code) = refusal switch
        {
            "unknown access key" => (new RawRequest("PUT", $"/{Bucket}/k") { AccessKey = "NOBODY" }, 403, "InvalidAccessKeyId"),
            "wrong secret" => (new RawRequest("PUT", $"/{Bucket}/k") { SecretKey = "wrong" }, 403, "SignatureDoesNotMatch"),
            "unknown upload" => (new RawRequest("PUT", $"/{Bucket}/k?partNumber=1&uploadId=nothing"), 404, "NoSuchUpload"),
            "anonymous write" => (new RawRequest("PUT", $"/{Bucket}/k") { Signed = false }, 403, "AccessDenied"),
            _ => (new RawRequest("PUT", "/no-such-bucket-here/k"), 404, "NoSuchBucket"),
        };
        request.Body = new byte[10];
        request.Header("Expect", "100-continue");
        using var connection = await Connection.OpenAsync(_port);

        await connection.SendHeadersOnlyAsync(request);
        var answer = await connection.ReadAnswerAsync();
        Assert.Equal(status, answer.Status);
        Assert.Contains($"<Code>{code}</Code>", Encoding.UTF8.GetString(answer.Body));
        Assert.Equal("close", answer.Headers.GetValueOrDefault("Connection"));

        // The next request on that connection is never read as the first one's body: the server closed it.
        await connection.TrySendAsync(Encoding.ASCII.GetBytes($"DELETE /{Bucket}/k HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        Assert.True(await connection.ClosedByServerAsync(), "the server kept the connection of a refused upload open");
    }

    /// <summary>
    /// A client that waited for 100 Continue, heard the refusal and then neither sent its body nor
    /// closed its connection for longer than the server waits for a late body's first bytes: the
    /// server stops waiting without a trace. A wait ended by its cancellation token left Kestrel's
    /// body reader in the middle of a read, so Kestrel's own drain after the request failed and
    /// logged an error (seen at the end of full reliability runs).
    /// </summary>
    [Fact]
    public async Task A_refused_upload_whose_body_never_comes_is_given_up_without_an_error()
    {
        var request = new RawRequest("PUT", "/no-such-bucket-here/never") { Body = new byte[1000] }.Header("Expect", "100-continue");
        using var connection = await Connection.OpenAsync(_port);
        await connection.SendHeadersOnlyAsync(request);
        Assert.Equal(404, (await connection.ReadAnswerAsync()).Status);
        await Task.Delay(TimeSpan.FromSeconds(3)); // past the 2 s a late body's first bytes are waited for
        await _proxy.DisposeAsync(); // fails on an error the proxy logged
        _proxy = await ProxyServer.StartAsync();
    }

    /// <summary>
    /// A client whose wait for 100 Continue ran out (Go's net/http after its ExpectContinueTimeout,
    /// which a loaded server's answer can outlast) sends its body anyway, while the server is
    /// refusing the upload: the refusal must still reach it whole, its XML body included. Many at
    /// once and repeated, the body sent at once or a moment after the head, as load shifts it.
    /// </summary>
    [Fact]
    public async Task A_refused_upload_whose_client_sent_its_body_anyway_hears_the_whole_refusal()
    {
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 240), new ParallelOptions { MaxDegreeOfParallelism = 24 }, async (i, _) =>
        {
            var request = new RawRequest("PUT", $"/no-such-bucket-here/k{i}") { Body = new byte[(i % 4 + 1) * 256 * 1024] }.Header("Expect", "100-continue");
            using var connection = await Connection.OpenAsync(_port);
            await connection.SendHeadersOnlyAsync(request);
            if (i % 3 > 0) await Task.Delay(i % 3 == 1 ? 1 : 5);
            var sending = connection.TrySendAsync(request.Body);
            try
            {
                var answer = await connection.ReadAnswerAsync();
                if (answer.Status != 404 || !Encoding.UTF8.GetString(answer.Body).Contains("<Code>NoSuchBucket</Code>", StringComparison.Ordinal))
                    failures.Add($"upload {i}: {answer.Status} {Encoding.UTF8.GetString(answer.Body)}");
            }
            catch (IOException e)
            {
                failures.Add($"upload {i}: {e.Message}");
            }
            await sending;
        });
        Assert.True(failures.IsEmpty, $"{failures.Count} of 240 refusals did not arrive whole:\n{string.Join('\n', failures.Take(10))}");
    }

    /// <summary>
    /// The same when the body takes longer to send than Kestrel drains an unread body (five
    /// seconds, then it resets the connection), as a loaded machine makes it: a dozen uploads at
    /// once, each sending 6 MiB at 768 KiB/s after its refusal. Each client's write goes through,
    /// its refusal reads whole, no 100 Continue follows it, and the connection ends with a close,
    /// not a reset.
    /// </summary>
    [Fact]
    public async Task A_refused_upload_whose_body_outlasts_the_servers_drain_is_read_to_its_end_and_closed_cleanly()
    {
        const int Size = 6 * 1024 * 1024, Piece = 64 * 1024;
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Task.WhenAll(Enumerable.Range(0, 12).Select(async i =>
        {
            var request = new RawRequest("PUT", $"/no-such-bucket-here/slow{i}") { Body = new byte[Size] }.Header("Expect", "100-continue");
            using var connection = await Connection.OpenAsync(_port);
            await connection.SendHeadersOnlyAsync(request);
            try
            {
                for (var sent = 0; sent < Size; sent += Piece)
                {
                    await connection.SendAsync(request.Body.AsMemory(sent, Piece));
                    await Task.Delay(80); // 768 KiB/s: 8 s for the body
                }
                var answer = await connection.ReadAnswerAsync();
                if (answer.Status != 404 || !Encoding.UTF8.GetString(answer.Body).Contains("<Code>NoSuchBucket</Code>", StringComparison.Ordinal))
                    failures.Add($"upload {i}: {answer.Status} {Encoding.UTF8.GetString(answer.Body)}");
                else if (!await connection.ClosedCleanlyAsync())
                    failures.Add($"upload {i}: after its refusal, more than the server's close (a reset, or another answer)");
            }
            catch (IOException e)
            {
                failures.Add($"upload {i}: {e.Message}");
            }
        }));
        Assert.True(failures.IsEmpty, $"{failures.Count} of 12 slow uploads refused:\n{string.Join('\n', failures.Take(10))}");
    }

    [Fact]
    public async Task An_invited_upload_keeps_its_connection_for_the_next_request()
    {
        using var connection = await Connection.OpenAsync(_port);
        var put = new RawRequest("PUT", $"/{Bucket}/invited") { Body = "0123456789"u8.ToArray() }.Header("Expect", "100-continue");

        await connection.SendHeadersOnlyAsync(put);
        Assert.Equal(100, (await connection.ReadAnswerAsync()).Status);
        await connection.TrySendAsync(put.Body);
        var stored = await connection.ReadAnswerAsync();
        Assert.Equal(200, stored.Status);
        Assert.False(stored.Headers.ContainsKey("Connection"));

        await connection.SendHeadersOnlyAsync(new RawRequest("GET", $"/{Bucket}/invited"));
        var read = await connection.ReadAnswerAsync();
        Assert.Equal(200, read.Status);
        Assert.Equal("0123456789", Encoding.UTF8.GetString(read.Body));
    }

    /// <summary>One kept-alive connection, read answer by answer.</summary>
    private sealed class Connection : IDisposable
    {
        private readonly TcpClient _client;
        private readonly NetworkStream _stream;
        private readonly int _port;
        private byte[] _pending = [];

        private Connection(TcpClient client, int port) => (_client, _stream, _port) = (client, client.GetStream(), port);

        public static async Task<Connection> OpenAsync(int port)
        {
            var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            return new Connection(client, port);
        }

        /// <summary>The request's head alone, kept alive: what a client waiting for 100 Continue sends.</summary>
        public Task SendHeadersOnlyAsync(RawRequest request)
        {
            var bytes = request.Encode($"127.0.0.1:{_port}");
            var head = Encoding.UTF8.GetString(bytes, 0, bytes.AsSpan().IndexOf("\r\n\r\n"u8) + 4).Replace("Connection: close\r\n", "");
            return TrySendAsync(Encoding.UTF8.GetBytes(head));
        }

        public async Task TrySendAsync(byte[] bytes)
        {
            try
            {
                await _stream.WriteAsync(bytes);
            }
            catch (IOException)
            {
                // Closed by the server already: what the caller checks next.
            }
        }

        /// <summary>Sends bytes, failing as the socket fails (a reset included).</summary>
        public async Task SendAsync(ReadOnlyMemory<byte> bytes) => await _stream.WriteAsync(bytes);

        /// <summary>Whether the server ends the connection with a close (not a reset) and nothing more, within a few seconds.</summary>
        public async Task<bool> ClosedCleanlyAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                return _pending.Length == 0 && await _stream.ReadAsync(new byte[4096], timeout.Token) == 0;
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                return false;
            }
        }

        /// <summary>The next answer (an interim 100 included), complete by its Content-Length or chunked framing.</summary>
        public async Task<RawResponse> ReadAnswerAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var buffer = new byte[65536];
            while (true)
            {
                if (Complete(_pending) is { } length)
                {
                    var answer = RawResponse.Parse(_pending[..length])!;
                    _pending = _pending[length..];
                    return answer;
                }
                var read = await _stream.ReadAsync(buffer, timeout.Token);
                if (read == 0) throw new IOException("the server closed the connection before a whole answer");
                _pending = [.. _pending, .. buffer.AsSpan(0, read)];
            }
        }

        /// <summary>Whether the server closes the connection within a few seconds without another answer.</summary>
        public async Task<bool> ClosedByServerAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var buffer = new byte[4096];
            try
            {
                return _pending.Length == 0 && await _stream.ReadAsync(buffer, timeout.Token) == 0;
            }
            catch (IOException)
            {
                return true; // reset
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        private static int? Complete(byte[] data)
        {
            var end = data.AsSpan().IndexOf("\r\n\r\n"u8);
            if (end < 0) return null;
            var head = Encoding.ASCII.GetString(data, 0, end);
            var bodyStart = end + 4;
            if (head.StartsWith("HTTP/1.1 1", StringComparison.Ordinal)) return bodyStart;
            var lengthLine = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
            if (lengthLine is not null)
            {
                var length = int.Parse(lengthLine["Content-Length:".Length..].Trim());
                return data.Length >= bodyStart + length ? bodyStart + length : null;
            }
            if (head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
            {
                var last = data.AsSpan(bodyStart).IndexOf("\r\n0\r\n\r\n"u8);
                if (data.AsSpan(bodyStart).StartsWith("0\r\n\r\n"u8)) return bodyStart + 5;
                return last < 0 ? null : bodyStart + last + 7;
            }
            return bodyStart;
        }

        public void Dispose() => _client.Dispose();

        /// <summary>Closes the connection with a reset (RST), as the kernel does for a killed process with data unread.</summary>
        public void Reset()
        {
            _client.Client.LingerState = new LingerOption(true, 0);
            _client.Client.Close();
        }
    }
}
