using System.Text.Json;
using S3Overlay.S3.Policies;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Clients;

/// <summary>The MinIO JavaScript client (npm <c>minio</c>): setBucketPolicy and getBucketPolicy against the proxy.</summary>
[ConformanceTests]
public sealed class MinioJsClientTests
{
    [Fact]
    public async Task SetBucketPolicy_and_getBucketPolicy_round_trip_and_a_bad_policy_is_MalformedPolicy()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using (var s3 = proxy.CreateClient()) await s3.PutBucketAsync("minio-js");
        using var node = new ClientProcess();
        node["S3_URL"] = proxy.Url;
        node["S3_ACCESS_KEY"] = ProxyServer.AccessKey;
        node["S3_SECRET_KEY"] = ProxyServer.SecretKey;
        node["S3_BUCKET"] = "minio-js";
        node["S3_POLICY"] = CannedPolicies.ForBucket("download", "minio-js")!;

        var output = await node.RunAsync("/usr/bin/node", Path.Combine(RepoPaths.TestsProject, "Clients", "minio-js", "bucket_policy.mjs"));

        using var seen = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        var root = seen.RootElement;
        Assert.True(root.GetProperty("same").GetBoolean(), output);
        Assert.Equal("MalformedPolicy", root.GetProperty("refused").GetProperty("code").GetString());
        Assert.Equal("Invalid effect: Permit", root.GetProperty("refused").GetProperty("message").GetString());
        Assert.Equal("NoSuchBucketPolicy", root.GetProperty("after").GetString());
    }
}
