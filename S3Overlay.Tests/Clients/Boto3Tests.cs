using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Clients;

/// <summary>boto3 (Debian's python3-boto3) runs boto3_roundtrip.py against the proxy.</summary>
[ConformanceTests]
public sealed class Boto3Tests
{
    [Fact]
    public async Task Boto3_script_puts_gets_lists_uploads_multipart_with_and_without_a_SHA256_checksum_and_presigns()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var python = new ClientProcess();
        var script = Path.Combine(AppContext.BaseDirectory, "Clients", "boto3_roundtrip.py");

        var output = await python.RunAsync("/usr/bin/python3", script, proxy.Url, "boto3", python.Home);

        Assert.Equal("OK", output.Trim());
    }
}
