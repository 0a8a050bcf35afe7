using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Configuration;
using S3Overlay.S3.Auth;
using Microsoft.Extensions.DependencyInjection;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Configuration.Catalog;

namespace S3Overlay.Tests.S3.Policies;

/// <summary>The users file: read at start-up (refused, naming the line, when it does not parse), and again when it changes, without a restart.</summary>
[FunctionalTests]
public sealed class UsersFileTests
{
    private static string Users(params (string Key, string Policy)[] users) =>
        "{\"users\": [\n" + string.Join(",\n", users.Select(u => $$"""  {"accessKey": "{{u.Key}}", "secretKey": "{{u.Key}}-secret", "policy": {{u.Policy}}}""")) + "\n]}\n";

    private static void Write(string path, string text)
    {
        // As an editor saves: a new file renamed over the old one.
        File.WriteAllText(path + ".tmp", text);
        File.SetUnixFileMode(path + ".tmp", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    [Fact]
    public async Task An_edited_users_file_takes_effect_without_a_restart_and_a_broken_one_keeps_the_last_good_users()
    {
        var folder = Directory.CreateTempSubdirectory("s3overlay-users-").FullName;
        var path = Path.Combine(folder, "users.json");
        try
        {
            Write(path, Users(("reader", "\"readonly\""), ("gone", "\"readwrite\"")));
            await using var proxy = await ProxyServer.StartAsync(new Dictionary<string, string?>
            {
                ["S3_OVERLAY_ACCESS_KEY"] = "root", ["S3_OVERLAY_SECRET_KEY"] = "root-secret", [AccessCatalog.UsersFile.Name] = path,
            });
            using var root = proxy.CreateClient(accessKey: "root", secretKey: "root-secret");
            using var reader = proxy.CreateClient(accessKey: "reader", secretKey: "reader-secret");
            using var gone = proxy.CreateClient(accessKey: "gone", secretKey: "gone-secret");
            using var writer = proxy.CreateClient(accessKey: "writer", secretKey: "writer-secret");
            await root.PutBucketAsync("files");
            await gone.PutObjectAsync(new PutObjectRequest { BucketName = "files", Key = "a", ContentBody = "a" });
            Assert.Equal("AccessDenied", (await Assert.ThrowsAsync<AmazonS3Exception>(() => reader.PutObjectAsync(new PutObjectRequest { BucketName = "files", Key = "b", ContentBody = "b" }))).ErrorCode);

            Write(path, Users(("reader", "\"readonly\""), ("writer", """{"Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::files/*"}]}""")));
            await EventuallyAsync(async () => await S3ErrorCode.OfAsync(() => gone.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "files" })) == "InvalidAccessKeyId",
                "the removed user's request is InvalidAccessKeyId");
            await writer.PutObjectAsync(new PutObjectRequest { BucketName = "files", Key = "w", ContentBody = "w" });

            var watcher = proxy.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<UsersFileWatcher>().Single();
            var seen = watcher.ChangesSeen;
            Write(path, "{\"users\": [ {\"accessKey\": \"writer\", ");
            await EventuallyAsync(() => watcher.ChangesSeen > seen, "the watcher read the broken file");
            await writer.PutObjectAsync(new PutObjectRequest { BucketName = "files", Key = "w2", ContentBody = "w" });
            Assert.Null(await S3ErrorCode.OfAsync(() => reader.GetObjectAsync("files", "w")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }


    [Theory]
    [InlineData("{\"users\": [\n  {\"accessKey\": \"a\", \"secretKey\": \"s\"},\n  {\"accessKey\": \"b\" \"secretKey\": \"s\"}\n]}", "line 3: not JSON")]
    [InlineData("{\"users\": [\n  {\"accessKey\": \"a\", \"secretKey\": \"s\"},\n  {\"accessKey\": \"b\"}\n]}", "line 3 (user 2): \"secretKey\" is missing")]
    [InlineData("{\"users\": [\n  {\"accessKey\": \"a\", \"secretKey\": \"s\",\n   \"policy\": \"readalot\"}\n]}", "line 2 (user 1): the policy 'readalot' is none of")]
    [InlineData("{\"users\": [\n\n  {\"accessKey\": \"a\", \"secretKey\": \"s\", \"policy\": {\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:Fly\", \"Resource\": \"*\"}}}\n]}", "line 3 (user 1): the policy is not valid: Policy has invalid action")]
    [InlineData("{\"users\": [\n  {\"accessKey\": \"a\", \"secretKey\": \"s\"},\n  {\"accessKey\": \"a\", \"secretKey\": \"t\"}\n]}", "line 3 (user 2): the access key 'a' is there twice")]
    public void A_file_that_cannot_be_used_is_refused_naming_the_line(string text, string reason)
    {
        var e = Assert.Throws<UsersFile.Fault>(() => UsersFile.Parse(text));
        Assert.StartsWith(reason, e.Message);
    }

    [Fact]
    public async Task Start_up_refuses_a_bad_users_file_or_policy_naming_the_setting_and_warns_of_a_file_others_can_read()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "{\"users\": [\n  {\"accessKey\": \"a\"\n]}");
            var e = await Assert.ThrowsAsync<SettingException>(() => ProxyServer.StartAsync(new Dictionary<string, string?> { [AccessCatalog.UsersFile.Name] = path }));
            Assert.Contains("S3_OVERLAY_USERS_FILE", e.Message);
            Assert.Contains("line 3", e.Message);

            var policy = await Assert.ThrowsAsync<SettingException>(() => ProxyServer.StartAsync(new Dictionary<string, string?>
            {
                ["Overlay:Users:0:AccessKey"] = "u", ["Overlay:Users:0:SecretKey"] = "s", ["Overlay:Users:0:Policy"] = "{\"Statement\": {\"Effect\": \"Maybe\"}}",
            }));
            Assert.Contains("Overlay:Users:0:Policy", policy.Message);
            Assert.Contains("Invalid effect: Maybe", policy.Message);

            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
            Assert.True(UsersFile.ReadableByOthers(path));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Assert.False(UsersFile.ReadableByOthers(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
