using Amazon.S3;
using S3Overlay.S3.Auth;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Configuration.Catalog;

namespace S3Overlay.Tests.Cli;

/// <summary><c>s3overlay users add|list|remove</c> on the users file a running server reads, and <c>policy set|get</c> through its S3 API.</summary>
[FunctionalTests]
public sealed class UsersVerbTests
{
    [Fact]
    public async Task Users_and_bucket_access_are_managed_from_the_command_line_while_the_server_runs()
    {
        var folder = Directory.CreateTempSubdirectory("s3overlay-users-cli-").FullName;
        var file = Path.Combine(folder, "users.json");
        try
        {
            var added = await CliRun.RunAsync("users", "add", "ci", "--policy", "readonly", "--file", file);
            Assert.Equal(0, added.ExitCode);
            var secret = added.Output.Split("(shown once): ")[1].Trim();
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.Equal(0, (await CliRun.RunAsync("users", "add", "up", "--secret-key", "up-secret", "--policy",
                """{"Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::pics/*"}]}""", "--file", file)).ExitCode);
            Assert.Equal("ci\treadonly\nup\t(policy document)\n", (await CliRun.RunAsync("users", "list", "--file", file)).Output.ReplaceLineEndings("\n"));
            var refused = await CliRun.RunAsync("users", "add", "bad", "--policy", "readalot", "--file", file);
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("readalot", refused.Error);

            await using var proxy = await ProxyServer.StartAsync(new Dictionary<string, string?>
            {
                ["S3_OVERLAY_ACCESS_KEY"] = "root", ["S3_OVERLAY_SECRET_KEY"] = "root-secret", [AccessCatalog.UsersFile.Name] = file,
            });
            string[] asRoot = ["--server", proxy.Url, "--access-key", "root", "--secret-key", "root-secret"];
            using var root = proxy.CreateClient(accessKey: "root", secretKey: "root-secret");
            using var ci = proxy.CreateClient(accessKey: "ci", secretKey: secret);
            await root.PutBucketAsync("pics");
            await root.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = "pics", Key = "cat.jpg", ContentBody = "cat" });
            Assert.Equal("cat", await new StreamReader((await ci.GetObjectAsync("pics", "cat.jpg")).ResponseStream).ReadToEndAsync());

            Assert.Equal(0, (await CliRun.RunAsync(["policy", "set", "pics", "download", .. asRoot])).ExitCode);
            Assert.Equal("cat", await proxy.CreateHttpClient(signed: false).GetStringAsync("pics/cat.jpg"));
            Assert.Equal("pics: anonymous access is download\n", (await CliRun.RunAsync(["policy", "get", "pics", .. asRoot])).Output.ReplaceLineEndings("\n"));
            Assert.Equal(0, (await CliRun.RunAsync(["policy", "set", "pics", "none", .. asRoot])).ExitCode);
            Assert.Equal("pics: anonymous access is none\n", (await CliRun.RunAsync(["policy", "get", "pics", .. asRoot])).Output.ReplaceLineEndings("\n"));

            Assert.Equal(0, (await CliRun.RunAsync("users", "remove", "ci", "--file", file)).ExitCode);
            await EventuallyAsync(async () =>
            {
                try { await ci.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = "pics" }); return false; }
                catch (AmazonS3Exception e) { return e.ErrorCode == "InvalidAccessKeyId"; }
            }, "the removed user's request is InvalidAccessKeyId");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
