using S3Overlay.Tests.Clients;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Versions;

/// <summary>Bucket versioning on the embedded store, driven by boto3 (versions_boto3.py): every rule S3 documents that the script checks.</summary>
public sealed class VersioningTests
{
    [Fact]
    public async Task Boto3_enables_and_suspends_versioning_reads_deletes_restores_and_pages_versions()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var python = new ClientProcess();
        var script = Path.Combine(AppContext.BaseDirectory, "Clients", "versions_boto3.py");

        var output = await python.RunAsync("/usr/bin/python3", script, proxy.Url, "versions");

        Assert.Equal("OK", output.Trim());
    }
}
