using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Clients;

/// <summary>s3cmd (Debian's package) puts, gets, lists and deletes through the proxy, signing V4 and V2.</summary>
[ConformanceTests]
public sealed class S3cmdTests : IAsyncLifetime
{
    private ProxyServer _proxy = null!;
    private readonly ClientProcess _s3cmd = new();

    public async ValueTask InitializeAsync() => _proxy = await ProxyServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        _s3cmd.Dispose();
        await _proxy.DisposeAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Put_get_ls_del(bool signatureV2)
    {
        var host = new Uri(_proxy.Url).Authority;
        var config = _s3cmd.WriteFile("s3cfg", $"""
            [default]
            access_key = {ProxyServer.AccessKey}
            secret_key = {ProxyServer.SecretKey}
            host_base = {host}
            host_bucket = {host}
            use_https = False
            signature_v2 = {(signatureV2 ? "True" : "False")}
            bucket_location = us-east-1
            check_ssl_certificate = False
            guess_mime_type = False
            """);
        Task<string> S3cmd(params string[] arguments) => _s3cmd.RunAsync("/usr/bin/s3cmd", ["-c", config, .. arguments]);

        var bucket = signatureV2 ? "s3cmd-v2" : "s3cmd-v4";
        var original = TestFiles.WriteRandom(Path.Combine(_s3cmd.Home, "up.bin"), 70_000, seed: 5);
        await S3cmd("mb", $"s3://{bucket}");
        await S3cmd("put", original, $"s3://{bucket}/dir/a file+1.bin");

        var copy = Path.Combine(_s3cmd.Home, "down.bin");
        await S3cmd("get", $"s3://{bucket}/dir/a file+1.bin", copy);
        TestFiles.AssertSameBytes(original, copy);

        var listed = await S3cmd("ls", "-r", $"s3://{bucket}");
        Assert.Matches($@"\s70000\s+{System.Text.RegularExpressions.Regex.Escape($"s3://{bucket}/dir/a file+1.bin")}", listed);

        await S3cmd("del", $"s3://{bucket}/dir/a file+1.bin");
        Assert.DoesNotContain("a file+1.bin", await S3cmd("ls", "-r", $"s3://{bucket}"));
    }
}
