using System.Text.Json;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Clients;

/// <summary>One proxy, one configured aws CLI and one bucket for the class: each CLI start costs a second.</summary>
public sealed class AwsCliFixture : IAsyncLifetime
{
    public const string Bucket = "aws-cli";
    public ProxyServer Proxy { get; private set; } = null!;
    public ClientProcess Aws { get; } = new();

    public async ValueTask InitializeAsync()
    {
        Proxy = await ProxyServer.StartAsync();
        Aws.UseAwsProfile();
        await RunAsync("s3", "mb", $"s3://{Bucket}");
    }

    public Task<string> RunAsync(params string[] arguments) =>
        Aws.RunAsync("/usr/bin/aws", [.. arguments, "--endpoint-url", Proxy.Url, "--no-cli-pager"]);

    public async ValueTask DisposeAsync()
    {
        Aws.Dispose();
        await Proxy.DisposeAsync();
    }
}

/// <summary>The aws CLI (Debian's awscli 2.x) against the proxy: multipart cp, ranged get, presign, ls.</summary>
[ConformanceTests]
public sealed class AwsCliTests(AwsCliFixture cli) : IClassFixture<AwsCliFixture>
{
    private const string Bucket = AwsCliFixture.Bucket;
    private readonly ClientProcess _aws = cli.Aws;

    private Task<string> Aws(params string[] arguments) => cli.RunAsync(arguments);

    [Fact]
    public async Task Cp_of_20_MiB_goes_multipart_and_downloads_identical()
    {
        var original = TestFiles.WriteRandom(Path.Combine(_aws.Home, "big.bin"), 20 * 1024 * 1024, seed: 20);
        await Aws("s3", "cp", original, $"s3://{Bucket}/dir/big.bin");

        // 20 MiB over the CLI's 8 MiB threshold and chunk size: three parts, S3's multipart ETag.
        using var head = JsonDocument.Parse(await Aws("s3api", "head-object", "--bucket", Bucket, "--key", "dir/big.bin"));
        Assert.EndsWith("-3\"", head.RootElement.GetProperty("ETag").GetString());
        Assert.Equal(20 * 1024 * 1024, head.RootElement.GetProperty("ContentLength").GetInt64());

        var copy = Path.Combine(_aws.Home, "big.copy");
        await Aws("s3", "cp", $"s3://{Bucket}/dir/big.bin", copy);
        TestFiles.AssertSameBytes(original, copy);
    }

    [Fact]
    public async Task S3api_get_object_with_a_range_returns_those_bytes()
    {
        var original = TestFiles.WriteRandom(Path.Combine(_aws.Home, "small.bin"), 1000, seed: 1);
        await Aws("s3", "cp", original, $"s3://{Bucket}/small.bin");

        var part = Path.Combine(_aws.Home, "range.bin");
        using var answer = JsonDocument.Parse(await Aws("s3api", "get-object", "--bucket", Bucket, "--key", "small.bin", "--range", "bytes=100-199", part));
        Assert.Equal("bytes 100-199/1000", answer.RootElement.GetProperty("ContentRange").GetString());
        Assert.Equal(File.ReadAllBytes(original)[100..200], File.ReadAllBytes(part));
    }

    [Fact]
    public async Task Presigned_url_serves_the_object_to_plain_http()
    {
        var original = TestFiles.WriteRandom(Path.Combine(_aws.Home, "shared.bin"), 4096, seed: 2);
        await Aws("s3", "cp", original, $"s3://{Bucket}/shared file+1.bin");

        var url = (await Aws("s3", "presign", $"s3://{Bucket}/shared file+1.bin", "--expires-in", "300")).Trim();
        Assert.Contains("X-Amz-Signature=", url);
        using var http = new HttpClient();
        Assert.Equal(File.ReadAllBytes(original), await http.GetByteArrayAsync(url));
    }

    [Fact]
    public async Task Ls_lists_keys_and_prefixes()
    {
        var file = TestFiles.WriteRandom(Path.Combine(_aws.Home, "ls.bin"), 123, seed: 3);
        await Aws("s3", "cp", file, $"s3://{Bucket}/ls/one.bin");
        await Aws("s3", "cp", file, $"s3://{Bucket}/ls/sub/two.bin");

        var top = await Aws("s3", "ls", $"s3://{Bucket}/ls/");
        Assert.Matches(@"\s123 one\.bin", top);
        Assert.Contains("PRE sub/", top);
        var all = await Aws("s3", "ls", "--recursive", $"s3://{Bucket}/ls/");
        Assert.Contains("ls/sub/two.bin", all);
        Assert.Contains("ls/one.bin", all);
    }

    [Fact]
    public async Task Cp_between_two_S3_urls_copies_20_MiB_on_the_server_with_its_tags()
    {
        var original = TestFiles.WriteRandom(Path.Combine(_aws.Home, "copy-src.bin"), 20 * 1024 * 1024, seed: 21);
        await Aws("s3", "cp", original, $"s3://{Bucket}/big.bin");
        await Aws("s3api", "put-object-tagging", "--bucket", Bucket, "--key", "big.bin", "--tagging", "TagSet=[{Key=stage,Value=raw}]");

        // The CLI asks for the source's tags first (GetObjectTagging), then copies part by part (UploadPartCopy).
        await Aws("s3", "cp", $"s3://{Bucket}/big.bin", $"s3://{Bucket}/copies/big.bin");

        var copy = Path.Combine(_aws.Home, "copy-back.bin");
        await Aws("s3", "cp", $"s3://{Bucket}/copies/big.bin", copy);
        TestFiles.AssertSameBytes(original, copy);
        using var tags = JsonDocument.Parse(await Aws("s3api", "get-object-tagging", "--bucket", Bucket, "--key", "copies/big.bin"));
        var tag = Assert.Single(tags.RootElement.GetProperty("TagSet").EnumerateArray());
        Assert.Equal(("stage", "raw"), (tag.GetProperty("Key").GetString(), tag.GetProperty("Value").GetString()));
    }

    [Fact]
    public async Task S3api_put_object_tagging_then_get_object_tagging_round_trips()
    {
        var file = TestFiles.WriteRandom(Path.Combine(_aws.Home, "tagged.bin"), 100, seed: 4);
        await Aws("s3", "cp", file, $"s3://{Bucket}/tagged.bin");
        await Aws("s3api", "put-object-tagging", "--bucket", Bucket, "--key", "tagged.bin",
            "--tagging", "{\"TagSet\":[{\"Key\":\"team\",\"Value\":\"data eng\"},{\"Key\":\"tier\",\"Value\":\"1\"}]}");

        using var tags = JsonDocument.Parse(await Aws("s3api", "get-object-tagging", "--bucket", Bucket, "--key", "tagged.bin"));
        var got = tags.RootElement.GetProperty("TagSet").EnumerateArray()
            .ToDictionary(t => t.GetProperty("Key").GetString()!, t => t.GetProperty("Value").GetString()!);
        Assert.Equal(new Dictionary<string, string> { ["team"] = "data eng", ["tier"] = "1" }, got);

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => Aws("s3api", "put-object-tagging", "--bucket", Bucket, "--key", "tagged.bin",
            "--tagging", "TagSet=[{Key=" + new string('k', 129) + ",Value=v}]"));
        Assert.Contains("InvalidTag", refused.Message);
    }

    [Fact]
    public async Task Cp_with_acl_public_read_lets_anyone_download_it_and_nothing_else()
    {
        var file = TestFiles.WriteRandom(Path.Combine(_aws.Home, "public.bin"), 2048, seed: 5);
        await Aws("s3", "cp", file, $"s3://{Bucket}/public/one.bin", "--acl", "public-read");
        await Aws("s3", "cp", file, $"s3://{Bucket}/public/private.bin");

        using var anonymous = cli.Proxy.CreateHttpClient(signed: false);
        Assert.Equal(File.ReadAllBytes(file), await anonymous.GetByteArrayAsync($"{Bucket}/public/one.bin"));
        using var refused = await anonymous.GetAsync($"{Bucket}/public/private.bin");
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task S3api_get_object_attributes_tells_the_parts_of_a_multipart_cp()
    {
        var file = TestFiles.WriteRandom(Path.Combine(_aws.Home, "attributes.bin"), 20 * 1024 * 1024, seed: 6);
        await Aws("s3", "cp", file, $"s3://{Bucket}/attributes.bin");
        using var head = JsonDocument.Parse(await Aws("s3api", "head-object", "--bucket", Bucket, "--key", "attributes.bin"));
        using var attributes = JsonDocument.Parse(await Aws("s3api", "get-object-attributes", "--bucket", Bucket, "--key", "attributes.bin",
            "--object-attributes", "ETag", "ObjectParts", "ObjectSize", "StorageClass"));
        var root = attributes.RootElement;
        Assert.Equal(head.RootElement.GetProperty("ETag").GetString()!.Trim('"'), root.GetProperty("ETag").GetString());
        Assert.Equal(20 * 1024 * 1024, root.GetProperty("ObjectSize").GetInt64());
        Assert.Equal("STANDARD", root.GetProperty("StorageClass").GetString());
        // The CLI's 8 MiB parts: 8 + 8 + 4.
        Assert.Equal(3, root.GetProperty("ObjectParts").GetProperty("TotalPartsCount").GetInt32());
    }

    [Fact]
    public async Task S3api_puts_gets_and_deletes_a_bucket_policy_and_reads_its_status()
    {
        var bucket = "aws-cli-policy";
        using var sdk = cli.Proxy.CreateClient();
        await sdk.PutBucketAsync(bucket); // the CLI only where the policy calls are tried: each of its starts costs a second or more
        var policy = S3Overlay.S3.Policies.CannedPolicies.ForBucket("download", bucket)!;
        var file = _aws.WriteFile("policy.json", policy);
        await Aws("s3api", "put-bucket-policy", "--bucket", bucket, "--policy", "file://" + file);
        using (var got = JsonDocument.Parse(await Aws("s3api", "get-bucket-policy", "--bucket", bucket)))
            Assert.Equal(policy, got.RootElement.GetProperty("Policy").GetString());
        using (var status = JsonDocument.Parse(await Aws("s3api", "get-bucket-policy-status", "--bucket", bucket)))
            Assert.True(status.RootElement.GetProperty("PolicyStatus").GetProperty("IsPublic").GetBoolean());

        var bad = _aws.WriteFile("bad.json", policy.Replace("\"Allow\"", "\"Permit\""));
        var refused = await _aws.TryRunAsync("/usr/bin/aws", "s3api", "put-bucket-policy", "--bucket", bucket, "--policy", "file://" + bad, "--endpoint-url", cli.Proxy.Url);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("MalformedPolicy", refused.StdErr);
        Assert.Contains("Invalid effect: Permit", refused.StdErr);

        await Aws("s3api", "delete-bucket-policy", "--bucket", bucket);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await sdk.GetBucketPolicyAsync(bucket)).HttpStatusCode);
    }
}
