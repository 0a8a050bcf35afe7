using S3Overlay.Tests.Clients;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Versions;

/// <summary>
/// Bucket versioning, driven by boto3 (versions_boto3.py): on the embedded store, and passed
/// through to Ceph RGW as the local store (its own versioning).
/// </summary>
[ConformanceTests]
public sealed class VersioningTests
{
    [Fact]
    public async Task Boto3_versions_objects_kept_by_Ceph_RGW_as_the_local_store()
    {
        var rgw = await SharedRgw.GetAsync();
        await using var proxy = await ProxyServer.StartAsync(rgw.AsLocalStore());
        using var python = new ClientProcess();
        var script = Path.Combine(AppContext.BaseDirectory, "Clients", "versions_boto3.py");

        var output = await python.RunAsync("/usr/bin/python3", script, proxy.Url, "versions-" + Guid.NewGuid().ToString("N")[..12], "s3");

        Assert.Equal("OK", output.Trim());
    }

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
