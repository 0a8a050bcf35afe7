using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Overlay;

namespace S3Overlay.Tests.Clients;

/// <summary>
/// The AWS SDK for Ruby 1.117 (Debian's ruby-aws-sdk-s3) running ruby_s3.rb: its
/// default upload and download paths with checksums, and conditional writes on PutObject
/// and CompleteMultipartUpload, on the embedded store and through the overlay, where the
/// conditions are decided on an object only the remote holds.
/// </summary>
[ConformanceTests]
public sealed class RubySdkTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    private static async Task RunAsync(string endpoint, string bucket, params string[] remoteOnly)
    {
        using var ruby = new ClientProcess();
        var script = Path.Combine(AppContext.BaseDirectory, "Clients", "ruby_s3.rb");
        var output = await ruby.RunAsync("/usr/bin/ruby", [script, endpoint, ProxyServer.AccessKey, ProxyServer.SecretKey, bucket, ruby.Home, .. remoteOnly]);
        Assert.Equal("OK", output.Trim());
    }

    [Fact]
    public async Task The_Ruby_SDK_uploads_downloads_with_checksums_and_writes_conditionally_on_the_embedded_store()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using (var s3 = proxy.CreateClient(defaults: false)) await s3.PutBucketAsync("ruby");
        await RunAsync(proxy.Url, "ruby");
    }

    [Fact]
    public async Task Through_the_overlay_the_Ruby_SDKs_conditional_writes_are_decided_on_the_object_a_GET_returns()
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded);
        await env.SeedRemoteAsync("remote/only.bin", 1000, seed: 9);
        await env.Client.PutBucketAsync(env.Bucket);
        await RunAsync(env.Proxy.Url, env.Bucket, "remote/only.bin");
        // The remote is never written: what replaced its object is local.
        using var remote = await env.Remote.GetObjectAsync(env.Bucket, "remote/only.bin");
        Assert.Null(await PatternData.MismatchAsync(remote.ResponseStream, 0, 1000, seed: 9));
    }
}
