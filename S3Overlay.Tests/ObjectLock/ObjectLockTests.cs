using System.Net;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Clients;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.ObjectLock;

/// <summary>
/// S3 Object Lock with real clients: boto3 (object_lock_boto3.py) on the embedded store and passed
/// through to Ceph RGW as the local store, the aws CLI, rclone into a bucket with default
/// retention (on the embedded store and on RGW), and who may bypass GOVERNANCE retention.
/// </summary>
[ConformanceTests]
[StartsFirst]
public sealed class ObjectLockTests
{
    private static string Script => Path.Combine(AppContext.BaseDirectory, "ObjectLock", "object_lock_boto3.py");

    [Fact]
    public async Task Boto3_locks_versions_on_the_embedded_store()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var python = new ClientProcess();

        var output = await python.RunAsync("/usr/bin/python3", Script, proxy.Url, "lock");

        Assert.Equal("OK", output.Trim());
    }

    [Fact]
    public async Task Boto3_locks_versions_kept_by_Ceph_RGW_as_the_local_store()
    {
        var rgw = await SharedRgw.GetAsync();
        await using var proxy = await ProxyServer.StartAsync(rgw.AsLocalStore());
        using var python = new ClientProcess();

        var output = await python.RunAsync("/usr/bin/python3", Script, proxy.Url, "lock-" + Guid.NewGuid().ToString("N")[..12], "s3");

        Assert.Equal("OK", output.Trim());
    }

    [Fact]
    public async Task Aws_cli_default_retention_keeps_a_version_until_governance_is_bypassed()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var cli = new ClientProcess();
        cli.UseAwsProfile();
        Task<string> Aws(params string[] arguments) => cli.RunAsync("/usr/bin/aws", [.. arguments, "--endpoint-url", proxy.Url, "--no-cli-pager"]);
        const string bucket = "cli-locked";
        await Aws("s3api", "create-bucket", "--bucket", bucket, "--object-lock-enabled-for-bucket");
        await Aws("s3api", "put-object-lock-configuration", "--bucket", bucket, "--object-lock-configuration",
            """{"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 7}}}""");
        using (var configuration = JsonDocument.Parse(await Aws("s3api", "get-object-lock-configuration", "--bucket", bucket)))
            Assert.Equal(7, configuration.RootElement.GetProperty("ObjectLockConfiguration").GetProperty("Rule").GetProperty("DefaultRetention").GetProperty("Days").GetInt32());

        var version = (await Aws("s3api", "put-object", "--bucket", bucket, "--key", "report.pdf", "--body", cli.WriteFile("report.pdf", "quarterly"),
            "--query", "VersionId", "--output", "text")).Trim();
        using (var head = JsonDocument.Parse(await Aws("s3api", "head-object", "--bucket", bucket, "--key", "report.pdf")))
        {
            Assert.Equal("GOVERNANCE", head.RootElement.GetProperty("ObjectLockMode").GetString());
            var until = head.RootElement.GetProperty("ObjectLockRetainUntilDate").GetDateTimeOffset();
            Assert.InRange(until, DateTimeOffset.UtcNow.AddDays(7).AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(7).AddMinutes(5));
        }

        var refused = await cli.TryRunAsync("/usr/bin/aws", "s3api", "delete-object", "--bucket", bucket, "--key", "report.pdf", "--version-id", version, "--endpoint-url", proxy.Url);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("AccessDenied", refused.StdErr);
        // `aws s3 rm` only hides it behind a delete marker.
        await Aws("s3", "rm", $"s3://{bucket}/report.pdf");
        Assert.Equal("quarterly", File.ReadAllText(await GetVersionAsync(cli, proxy.Url, bucket, "report.pdf", version)));

        await Aws("s3api", "delete-object", "--bucket", bucket, "--key", "report.pdf", "--version-id", version, "--bypass-governance-retention");
        var gone = await cli.TryRunAsync("/usr/bin/aws", "s3api", "head-object", "--bucket", bucket, "--key", "report.pdf", "--version-id", version, "--endpoint-url", proxy.Url);
        Assert.Contains("404", gone.StdErr);
    }

    private static async Task<string> GetVersionAsync(ClientProcess cli, string url, string bucket, string key, string version)
    {
        var path = Path.Combine(cli.Home, "version-" + version);
        await cli.RunAsync("/usr/bin/aws", "s3api", "get-object", "--bucket", bucket, "--key", key, "--version-id", version, path, "--endpoint-url", url);
        return path;
    }

    [Fact]
    public async Task Rclone_can_hide_files_in_a_bucket_with_default_retention_but_not_remove_their_versions()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var s3 = proxy.CreateClient();
        await CreateLockedBucketAsync(s3, "rclone-locked");
        await LockedRcloneBackup.RunAsync(proxy.Url, s3, "rclone-locked");
    }

    [Fact]
    public async Task Rclone_can_hide_files_but_not_remove_their_versions_kept_by_Ceph_RGW_as_the_local_store()
    {
        var rgw = await SharedRgw.GetAsync();
        await using var proxy = await ProxyServer.StartAsync(rgw.AsLocalStore());
        using var s3 = proxy.CreateClient();
        var bucket = "rclone-locked-" + Guid.NewGuid().ToString("N")[..12];
        await CreateLockedBucketAsync(s3, bucket);
        await LockedRcloneBackup.RunAsync(proxy.Url, s3, bucket);
    }

    /// <summary>A bucket created with Object Lock, whose default retention (GOVERNANCE, a day) locks every version written.</summary>
    private static async Task CreateLockedBucketAsync(AmazonS3Client s3, string bucket)
    {
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket, ObjectLockEnabledForBucket = true });
        await s3.PutObjectLockConfigurationAsync(new PutObjectLockConfigurationRequest
        {
            BucketName = bucket,
            ObjectLockConfiguration = new ObjectLockConfiguration
            {
                ObjectLockEnabled = ObjectLockEnabled.Enabled,
                Rule = new ObjectLockRule { DefaultRetention = new DefaultRetention { Mode = ObjectLockRetentionMode.Governance, Days = 1 } },
            },
        });
    }

    [Fact]
    public async Task Only_a_caller_allowed_to_bypass_governance_retention_does_and_compliance_holds_for_all()
    {
        var folder = Directory.CreateTempSubdirectory("s3overlay-lock-users-").FullName;
        var users = Path.Combine(folder, "users.json");
        const string writes = "\"s3:PutObject\", \"s3:GetObject\", \"s3:GetObjectVersion\", \"s3:DeleteObjectVersion\", \"s3:PutObjectRetention\", \"s3:GetObjectRetention\"";
        File.WriteAllText(users, $$$"""
            {"users": [
              {"accessKey": "clerk", "secretKey": "clerk-secret", "policy": {"Statement": [{"Effect": "Allow", "Action": [{{{writes}}}], "Resource": "arn:aws:s3:::vault/*"}]}},
              {"accessKey": "officer", "secretKey": "officer-secret", "policy": {"Statement": [{"Effect": "Allow", "Action": [{{{writes}}}, "s3:BypassGovernanceRetention"], "Resource": "arn:aws:s3:::vault/*"}]}}
            ]}
            """);
        File.SetUnixFileMode(users, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            await using var proxy = await ProxyServer.StartAsync(new Dictionary<string, string?>
            {
                ["S3_OVERLAY_ACCESS_KEY"] = ProxyServer.AccessKey, ["S3_OVERLAY_SECRET_KEY"] = ProxyServer.SecretKey, ["S3_OVERLAY_USERS_FILE"] = users,
            });
            using var root = proxy.CreateClient();
            using var clerk = proxy.CreateClient(accessKey: "clerk", secretKey: "clerk-secret");
            using var officer = proxy.CreateClient(accessKey: "officer", secretKey: "officer-secret");
            await root.PutBucketAsync(new PutBucketRequest { BucketName = "vault", ObjectLockEnabledForBucket = true });
            var until = DateTime.UtcNow.AddDays(1);
            async Task<string> PutAsync(string key, ObjectLockMode mode) => (await clerk.PutObjectAsync(new PutObjectRequest
            {
                BucketName = "vault", Key = key, ContentBody = key, ObjectLockMode = mode, ObjectLockRetainUntilDate = until,
            })).VersionId;
            Task<DeleteObjectResponse> DeleteAsync(AmazonS3Client who, string key, string version) =>
                who.DeleteObjectAsync(new DeleteObjectRequest { BucketName = "vault", Key = key, VersionId = version, BypassGovernanceRetention = true });

            var governed = await PutAsync("governed", ObjectLockMode.Governance);
            var refused = await Assert.ThrowsAsync<AmazonS3Exception>(() => DeleteAsync(clerk, "governed", governed));
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("AccessDenied", refused.ErrorCode);
            Assert.Equal(HttpStatusCode.NoContent, (await DeleteAsync(officer, "governed", governed)).HttpStatusCode);

            var complied = await PutAsync("complied", ObjectLockMode.Compliance);
            foreach (var who in new[] { clerk, officer, root })
                Assert.Equal("AccessDenied", (await Assert.ThrowsAsync<AmazonS3Exception>(() => DeleteAsync(who, "complied", complied))).ErrorCode);
            using var got = await clerk.GetObjectAsync(new GetObjectRequest { BucketName = "vault", Key = "complied", VersionId = complied });
            Assert.Equal(ObjectLockMode.Compliance, got.ObjectLockMode);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_lock_write_without_a_Content_MD5_or_checksum_is_refused_and_writes_nothing()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using (var s3 = proxy.CreateClient())
        {
            await s3.PutBucketAsync(new PutBucketRequest { BucketName = "md5-locked", ObjectLockEnabledForBucket = true });
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = "md5-locked", Key = "plain", ContentBody = "no lock, no checksum needed" });
        }
        using var http = proxy.CreateHttpClient();
        var until = DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

        var put = new HttpRequestMessage(HttpMethod.Put, $"{proxy.Url}/md5-locked/locked") { Content = new StringContent("body") };
        put.Headers.Add("x-amz-object-lock-mode", "GOVERNANCE");
        put.Headers.Add("x-amz-object-lock-retain-until-date", until);
        var answer = await http.SendAsync(put);
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Contains("<Code>InvalidRequest</Code>", await answer.Content.ReadAsStringAsync());

        var retention = new HttpRequestMessage(HttpMethod.Put, $"{proxy.Url}/md5-locked/plain?retention")
        {
            Content = new StringContent($"<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>{until}</RetainUntilDate></Retention>"),
        };
        answer = await http.SendAsync(retention);
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Contains("Content-MD5", await answer.Content.ReadAsStringAsync());

        using var client = proxy.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<AmazonS3Exception>(() => client.GetObjectMetadataAsync("md5-locked", "locked"))).StatusCode);
        var kept = await client.GetObjectMetadataAsync("md5-locked", "plain");
        Assert.Null(kept.ObjectLockMode);
    }
}
