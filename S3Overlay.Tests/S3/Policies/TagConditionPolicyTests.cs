using S3Overlay.Tests.Clients;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3.Policies;

/// <summary>
/// A bucket policy that judges tags (<c>s3:ExistingObjectTag/…</c>, <c>s3:RequestObjectTag/…</c>,
/// <c>s3:RequestObjectTagKeys</c>) and request headers (<c>s3:x-amz-copy-source</c>,
/// <c>s3:x-amz-acl</c>), as a second user whose own policy grants nothing in the bucket meets it
/// through boto3 (tag_policy_conditions.py).
/// </summary>
[ConformanceTests]
public sealed class TagConditionPolicyTests
{
    [Fact]
    public async Task Boto3_as_a_second_user_is_allowed_and_refused_by_the_tags_and_headers_the_policy_names()
    {
        await using var proxy = await ProxyServer.StartAsync(new Dictionary<string, string?>
        {
            ["S3_OVERLAY_ACCESS_KEY"] = "root",
            ["S3_OVERLAY_SECRET_KEY"] = "root-secret-key",
            ["Overlay:Users:0:AccessKey"] = "alt",
            ["Overlay:Users:0:SecretKey"] = "alt-secret-key",
            // Rights elsewhere only: in the bucket under test, the bucket's policy alone lets it in.
            ["Overlay:Users:0:Policy"] = """{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::elsewhere/*"}]}""",
        });
        var bucket = "tag-policy-" + Guid.NewGuid().ToString("N")[..12];
        using var root = proxy.CreateClient(defaults: false, accessKey: "root", secretKey: "root-secret-key");
        await root.PutBucketAsync(bucket);
        using var python = new ClientProcess();

        var output = await python.RunAsync("/usr/bin/python3", Path.Combine(AppContext.BaseDirectory, "Clients", "tag_policy_conditions.py"),
            proxy.Url, bucket, "root", "root-secret-key", "alt", "alt-secret-key");

        Assert.Equal("OK", output.Trim());
    }
}
