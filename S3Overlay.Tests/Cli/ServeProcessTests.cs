using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Cli;

/// <summary>
/// <c>s3overlay serve</c> as a separate process, driven by AWSSDK.S3: a folder served as a bucket,
/// and which of flag, <c>S3_OVERLAY_*</c> variable and appsettings.json wins (seen in which
/// credentials the server accepts).
/// </summary>
[FunctionalTests]
public sealed class ServeProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("s3overlay-serve-").FullName;

    [Fact]
    public async Task Serve_FOLDER_serves_its_files_as_a_bucket_and_flags_win_over_variables_and_the_configuration_file()
    {
        var photos = Directory.CreateDirectory(Path.Combine(_dir, "photos")).FullName;
        Directory.CreateDirectory(Path.Combine(photos, "2024"));
        await File.WriteAllTextAsync(Path.Combine(photos, "2024", "cat.txt"), "meow");
        await File.WriteAllTextAsync(Path.Combine(photos, "readme.txt"), "hello");
        await File.WriteAllTextAsync(Path.Combine(_dir, "secret.txt"), "not served"); // beside the folder
        WriteConfigurationFile(accessKey: "filekey", secretKey: "filesecret");

        await using var server = await ServeProcess.StartAsync(
            ["./photos", "--access-key", "flagkey", "--secret-key", "flagsecret"], _dir,
            new Dictionary<string, string> { ["S3_OVERLAY_ACCESS_KEY"] = "envkey", ["S3_OVERLAY_SECRET_KEY"] = "envsecret" });
        using var client = S3Clients.Create(server.Url, "flagkey", "flagsecret");

        var buckets = await client.ListBucketsAsync();
        Assert.Equal(["photos"], buckets.Buckets.Select(b => b.BucketName));
        var listing = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "photos" });
        Assert.Equal(["2024/cat.txt", "readme.txt"], listing.S3Objects.Select(o => o.Key));
        Assert.Equal("meow", await ReadAsync(client, "photos", "2024/cat.txt"));

        // A write through S3 lands in the folder itself.
        await client.PutObjectAsync(new PutObjectRequest { BucketName = "photos", Key = "2025/dog.txt", ContentBody = "woof" });
        Assert.Equal("woof", await File.ReadAllTextAsync(Path.Combine(photos, "2025", "dog.txt")));

        await AssertRefusedAsync(server.Url, "envkey", "envsecret");
        await AssertRefusedAsync(server.Url, "filekey", "filesecret");
    }

    [Fact]
    public async Task Without_the_flag_the_S3_OVERLAY_variable_wins_over_the_configuration_file()
    {
        WriteConfigurationFile(accessKey: "filekey", secretKey: "filesecret");
        await using var server = await ServeProcess.StartAsync(["--data-dir", "store"], _dir,
            new Dictionary<string, string> { ["S3_OVERLAY_ACCESS_KEY"] = "envkey", ["S3_OVERLAY_SECRET_KEY"] = "envsecret" });

        using var client = S3Clients.Create(server.Url, "envkey", "envsecret");
        await client.PutBucketAsync("things");
        Assert.True(Directory.Exists(Path.Combine(_dir, "store", "things")), "--data-dir is relative to the working folder");
        await AssertRefusedAsync(server.Url, "filekey", "filesecret");
    }

    private void WriteConfigurationFile(string accessKey, string secretKey) =>
        File.WriteAllText(Path.Combine(_dir, "appsettings.json"),
            $$"""{ "Overlay": { "AccessKey": "{{accessKey}}", "SecretKey": "{{secretKey}}" } }""");

    private static async Task AssertRefusedAsync(string url, string accessKey, string secretKey)
    {
        using var client = S3Clients.Create(url, accessKey, secretKey);
        var e = await Assert.ThrowsAsync<AmazonS3Exception>(() => client.ListBucketsAsync());
        Assert.Equal(HttpStatusCode.Forbidden, e.StatusCode);
    }

    private static async Task<string> ReadAsync(IAmazonS3 client, string bucket, string key)
    {
        using var response = await client.GetObjectAsync(bucket, key);
        using var reader = new StreamReader(response.ResponseStream);
        return await reader.ReadToEndAsync();
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
