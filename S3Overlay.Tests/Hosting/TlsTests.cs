using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using S3Overlay.Configuration;
using S3Overlay.Hosting;
using S3Overlay.Tests.Clients;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Hosting;

/// <summary>
/// HTTPS from PEM files (<c>S3_OVERLAY_TLS_CERT</c>/<c>_KEY</c>, <c>serve --tls-cert/--tls-key</c>):
/// a self-signed certificate made here, trusted by the clients as a private CA would be (never by
/// turning validation off), with AWSSDK (SigV4 over https with its default trailer checksums),
/// presigned https URLs and the aws CLI (<c>--ca-bundle</c>).
/// </summary>
[ConformanceTests]
public sealed class TlsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("s3overlay-tls-").FullName;
    private string CertPath => Path.Combine(_dir, "cert.pem");
    private string KeyPath => Path.Combine(_dir, "key.pem");

    [Fact]
    public async Task Sdk_presigned_urls_and_the_aws_cli_read_and_write_over_https()
    {
        var ca = WriteCertificate("s3overlay test");
        await using var proxy = await ProxyServer.StartAsync(Https());
        Assert.StartsWith("https://127.0.0.1:", proxy.Url);

        using var client = TestCertificates.TrustingClient(proxy.Url, ca);
        await client.PutBucketAsync("secure");
        await client.PutObjectAsync(new PutObjectRequest { BucketName = "secure", Key = "a.txt", ContentBody = "over tls" });
        using (var get = await client.GetObjectAsync("secure", "a.txt"))
            Assert.Equal("over tls", await new StreamReader(get.ResponseStream).ReadToEndAsync());

        using var http = new HttpClient(TestCertificates.TrustingHandler(ca));
        var putUrl = client.GetPreSignedURL(new GetPreSignedUrlRequest
            { BucketName = "secure", Key = "presigned.txt", Verb = HttpVerb.PUT, Expires = DateTime.UtcNow.AddMinutes(5), Protocol = Protocol.HTTPS });
        Assert.StartsWith("https://", putUrl);
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsync(putUrl, new StringContent("by url"))).StatusCode);
        var getUrl = client.GetPreSignedURL(new GetPreSignedUrlRequest
            { BucketName = "secure", Key = "presigned.txt", Verb = HttpVerb.GET, Expires = DateTime.UtcNow.AddMinutes(5), Protocol = Protocol.HTTPS });
        Assert.Equal("by url", await http.GetStringAsync(getUrl));

        // Plain HTTP to the https port is no request at all.
        using var plain = new HttpClient();
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetAsync(proxy.Url.Replace("https://", "http://") + "/secure/a.txt"));

        using var aws = new ClientProcess();
        aws["AWS_ACCESS_KEY_ID"] = ProxyServer.AccessKey;
        aws["AWS_SECRET_ACCESS_KEY"] = ProxyServer.SecretKey;
        aws["AWS_DEFAULT_REGION"] = "us-east-1";
        aws["AWS_EC2_METADATA_DISABLED"] = "true";
        var local = aws.WriteFile("up.txt", "from the cli");
        string[] endpoint = ["--endpoint-url", proxy.Url, "--ca-bundle", CertPath, "--no-cli-pager"];
        await aws.RunAsync("/usr/bin/aws", ["s3", "cp", local, "s3://secure/cli.txt", .. endpoint]);
        await aws.RunAsync("/usr/bin/aws", ["s3", "cp", "s3://secure/a.txt", Path.Combine(aws.Home, "down.txt"), .. endpoint]);
        Assert.Equal("over tls", await File.ReadAllTextAsync(Path.Combine(aws.Home, "down.txt")));
        using (var get = await client.GetObjectAsync("secure", "cli.txt"))
            Assert.Equal("from the cli", await new StreamReader(get.ResponseStream).ReadToEndAsync());
        // Without the CA the CLI refuses the server: the test's trust is what makes it work.
        var untrusted = await aws.TryRunAsync("/usr/bin/aws", ["s3", "ls", "s3://secure", "--endpoint-url", proxy.Url, "--no-cli-pager"]);
        Assert.NotEqual(0, untrusted.ExitCode);
        Assert.Contains("CERTIFICATE_VERIFY_FAILED", untrusted.StdErr);
    }

    [Fact]
    public async Task A_renewed_certificate_is_served_without_a_restart()
    {
        var first = WriteCertificate("first");
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var proxy = await ProxyServer.StartAsync(Https(), b => b.Services.AddSingleton<TimeProvider>(clock));
        Assert.Equal(first.Thumbprint, await ServedThumbprintAsync(proxy.Url));

        var second = WriteCertificate("second");
        Assert.Equal(first.Thumbprint, await ServedThumbprintAsync(proxy.Url)); // looked at no more than every 10 s
        clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(second.Thumbprint, await ServedThumbprintAsync(proxy.Url));

        // A renewal caught half-written keeps the last good certificate.
        await File.WriteAllTextAsync(CertPath, "-----BEGIN CERTIFICATE-----\ntorn");
        clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(second.Thumbprint, await ServedThumbprintAsync(proxy.Url));
    }

    [Fact]
    public async Task Serve_takes_the_certificate_as_flags()
    {
        var ca = WriteCertificate("flags");
        var data = Directory.CreateDirectory(Path.Combine(_dir, "data")).FullName;
        using var stop = new CancellationTokenSource();
        var output = new ListeningWriter();
        var run = S3Overlay.Cli.S3OverlayCommand.RunAsync(
            ["serve", "--listen", "https://127.0.0.1:0", "--tls-cert", CertPath, "--tls-key", KeyPath, "--data-dir", data], output, TextWriter.Null, stop.Token);
        var url = await output.Url.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.StartsWith("https://127.0.0.1:", url);
        using var client = TestCertificates.TrustingClient(url, ca);
        await client.PutBucketAsync("flagged");
        Assert.Contains((await client.ListBucketsAsync()).Buckets, b => b.BucketName == "flagged");
        await stop.CancelAsync();
        Assert.Equal(0, await run);
    }

    [Fact]
    public void A_certificate_that_cannot_be_used_stops_start_up_naming_its_setting()
    {
        WriteCertificate("misconfigured");
        SettingException Fails(Dictionary<string, string?> settings) =>
            Assert.Throws<SettingException>(() => S3Overlay.Hosting.ProxyApplication.Build([], b =>
                b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["S3_OVERLAY_DATA_DIR"] = _dir }.Concat(settings))));

        Assert.Contains("no address is https://", Fails(new() { ["S3_OVERLAY_TLS_CERT"] = CertPath, ["S3_OVERLAY_TLS_KEY"] = KeyPath, ["urls"] = "http://127.0.0.1:0" }).Message);
        Assert.Equal("S3_OVERLAY_TLS_CERT", Fails(new() { ["urls"] = "https://127.0.0.1:0" }).Setting);
        Assert.Equal("S3_OVERLAY_TLS_CERT", Fails(new() { ["S3_OVERLAY_TLS_CERT"] = Path.Combine(_dir, "missing.pem") }).Setting);
        Assert.Contains("set S3_OVERLAY_TLS_CERT too", Fails(new() { ["S3_OVERLAY_TLS_KEY"] = KeyPath }).Message);
        // A certificate file without its key, and no key named.
        Assert.Contains("private key", Fails(new() { ["S3_OVERLAY_TLS_CERT"] = CertPath }).Message);
    }

    [Fact]
    public async Task A_certificate_file_holding_its_chain_and_key_needs_no_key_setting()
    {
        // root (trusted by the client, not served) -> intermediate (served from the file) -> the server's certificate.
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=test root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var root = rootRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(2));
        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var intermediateRequest = new CertificateRequest("CN=test intermediate", intermediateKey, HashAlgorithmName.SHA256);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var intermediate = intermediateRequest.Create(root, DateTimeOffset.UtcNow.AddMinutes(-4), DateTimeOffset.UtcNow.AddDays(1), [1]).CopyWithPrivateKey(intermediateKey);
        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var server = TestCertificates.ServerRequest("chained", serverKey).Create(intermediate, DateTimeOffset.UtcNow.AddMinutes(-3), DateTimeOffset.UtcNow.AddHours(20), [2]);
        await File.WriteAllTextAsync(CertPath, server.ExportCertificatePem() + "\n" + intermediate.ExportCertificatePem() + "\n" + serverKey.ExportPkcs8PrivateKeyPem() + "\n");

        await using var proxy = await ProxyServer.StartAsync(new Dictionary<string, string?> { ["S3_OVERLAY_TLS_CERT"] = CertPath, ["urls"] = "https://127.0.0.1:0" });
        using var client = TestCertificates.TrustingClient(proxy.Url, X509CertificateLoader.LoadCertificate(root.RawData));
        await client.PutBucketAsync("chained");
    }

    private Dictionary<string, string?> Https() => new()
    {
        ["S3_OVERLAY_TLS_CERT"] = CertPath,
        ["S3_OVERLAY_TLS_KEY"] = KeyPath,
        ["urls"] = "https://127.0.0.1:0",
    };

    /// <summary>A self-signed certificate for 127.0.0.1 and localhost, as PEM files: the test's own CA.</summary>
    private X509Certificate2 WriteCertificate(string name) => TestCertificates.WriteSelfSigned(name, CertPath, KeyPath);

    private static async Task<string> ServedThumbprintAsync(string url)
    {
        var uri = new Uri(url);
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port);
        X509Certificate2? served = null;
        await using var tls = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) =>
        {
            served = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            return true; // only reads which certificate is served
        });
        await tls.AuthenticateAsClientAsync("localhost");
        return served!.Thumbprint;
    }

    /// <summary>Catches serve's "listening on URL" line.</summary>
    private sealed class ListeningWriter : StringWriter
    {
        private readonly TaskCompletionSource<string> _url = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Task<string> Url => _url.Task;

        public override Task WriteLineAsync(string? value)
        {
            const string listening = "s3overlay: listening on ";
            if (value?.StartsWith(listening, StringComparison.Ordinal) == true) _url.TrySetResult(value[listening.Length..].Split(' ')[0]);
            return base.WriteLineAsync(value);
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
