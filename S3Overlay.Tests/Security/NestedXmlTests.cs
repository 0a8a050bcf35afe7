using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Xml.Linq;
using S3Overlay.Tests.Cli;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Reliability.Fuzz;

namespace S3Overlay.Tests.Security;

/// <summary>
/// XML a client sends is read with limits: a document nested 500,000 deep (3.5 MB, under the body
/// cap) would cost minutes of CPU and hold up SIGTERM; it is refused as MalformedXML for its depth
/// without being loaded, for every handler that reads XML, and shutdown is not held up by a request.
/// </summary>
[FunctionalTests]
public sealed class NestedXmlTests(ITestOutputHelper output)
{
    private static byte[] Nested(string root, int depth) =>
        Encoding.UTF8.GetBytes($"<{root}>" + string.Concat(Enumerable.Repeat("<a>", depth)) + string.Concat(Enumerable.Repeat("</a>", depth)) + $"</{root}>");

    [Fact]
    public async Task A_document_nested_500000_deep_is_refused_for_its_depth_by_every_handler_that_reads_xml()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var client = proxy.CreateClient();
        await client.PutBucketAsync("xml");
        var upload = (await client.InitiateMultipartUploadAsync("xml", "big")).UploadId;
        var port = new Uri(proxy.Url).Port;
        // The 4 MiB documents at their worst; the small ones (capped at a few KiB to 64 KiB) as deep as their cap allows.
        foreach (var (method, target, root, depth) in new[]
        {
            ("POST", "/xml?delete", "Delete", 500_000),
            ("POST", $"/xml/big?uploadId={upload}", "CompleteMultipartUpload", 500_000),
            ("PUT", "/xml?cors", "CORSConfiguration", 500),
            ("PUT", "/xml/k?tagging", "Tagging", 500),
            ("PUT", "/xml?acl", "AccessControlPolicy", 500),
        })
        {
            var clock = Stopwatch.StartNew();
            var answer = await new RawRequest(method, target) { Body = Nested(root, depth) }.SendAsync(port, default);
            output.WriteLine($"{method} {target}: {answer?.Status} in {clock.ElapsedMilliseconds} ms");
            Assert.NotNull(answer);
            Assert.Equal(400, answer.Status);
            var error = XElement.Parse(Encoding.UTF8.GetString(answer.Body));
            Assert.Equal("MalformedXML", error.Element("Code")?.Value);
            Assert.Contains("nests deeper than the 32 levels allowed", error.Element("Message")?.Value);
        }
        // S3's own documents, a few levels deep, are still read.
        await client.PutObjectAsync(new() { BucketName = "xml", Key = "k", ContentBody = "x" });
        await client.DeleteObjectsAsync(new() { BucketName = "xml", Objects = [new() { Key = "k" }] });
    }

    [Fact]
    public async Task Sigterm_after_a_deep_document_stops_the_server_within_its_shutdown_timeout()
    {
        var dir = Directory.CreateTempSubdirectory("s3overlay-stop-").FullName;
        try
        {
            var environment = new Dictionary<string, string> { ["DOTNET_shutdownTimeoutSeconds"] = "10" };
            await using var server = await ServeProcess.StartAsync(["--data-dir", dir], dir, environment);
            using var client = S3Clients.Create(server.Url, ProxyServer.AccessKey, ProxyServer.SecretKey);
            await client.PutBucketAsync("xml");

            // The whole 3.5 MB document, and SIGTERM at once: loading it took minutes of CPU, which Kestrel waited for.
            var bytes = new RawRequest("POST", "/xml?delete") { Body = Nested("Delete", 500_000) }.Encode(new Uri(server.Url).Authority);
            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", new Uri(server.Url).Port);
            await tcp.GetStream().WriteAsync(bytes);

            var clock = Stopwatch.StartNew();
            Assert.Equal(0, kill(server.ProcessId, 15));
            // Within the shutdown timeout, not after it: Kestrel waits that long for a request still being worked on.
            var exited = await server.WaitForExitAsync(TimeSpan.FromSeconds(10));
            output.WriteLine($"stopped {clock.ElapsedMilliseconds} ms after SIGTERM");
            Assert.True(exited, $"the server was still running at its 10 s shutdown timeout after SIGTERM:\n{server.Log}");
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
