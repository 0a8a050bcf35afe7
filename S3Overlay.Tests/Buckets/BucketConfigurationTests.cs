using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Clients;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Buckets;

/// <summary>
/// One server, many targets (as x2s3's configuration has them): buckets with remotes of their own
/// (two s3rver instances with different access keys, a relay counting each one's requests), a
/// read-only and a read-write folder, all in the .NET configuration's <c>Overlay:Buckets</c>.
/// </summary>
[ConformanceTests]
public sealed class BucketConfigurationTests(BucketConfigurationTests.Servers s) : IClassFixture<BucketConfigurationTests.Servers>
{
    public sealed class Servers : IAsyncLifetime
    {
        public S3rverProcess AlphaRemote { get; private set; } = null!;
        public S3rverProcess BetaRemote { get; private set; } = null!;
        public CountingRelay Alpha { get; private set; } = null!;
        public CountingRelay Beta { get; private set; } = null!;
        public AmazonS3Client AlphaBackend { get; private set; } = null!;
        public ProxyServer Proxy { get; private set; } = null!;
        public AmazonS3Client Client { get; private set; } = null!;
        public string Archive { get; } = Directory.CreateTempSubdirectory("bucket-archive-").FullName;
        public string Inbox { get; } = Directory.CreateTempSubdirectory("bucket-inbox-").FullName;
        public string Drop { get; } = Directory.CreateTempSubdirectory("bucket-drop-").FullName;
        private readonly string _credentials = Path.GetTempFileName();

        public async ValueTask InitializeAsync()
        {
            AlphaRemote = await S3rverProcess.StartAsync(accessKey: "ALPHAKEY");
            BetaRemote = await S3rverProcess.StartAsync(accessKey: "BETAKEY");
            Alpha = await CountingRelay.StartAsync(AlphaRemote.Url);
            Beta = await CountingRelay.StartAsync(BetaRemote.Url);
            AlphaBackend = S3Clients.Create(AlphaRemote.Url, "ALPHAKEY", "alpha-secret", defaults: false);
            await AlphaBackend.PutBucketAsync("alpha-data");
            foreach (var (key, body) in new[] { ("team/a.txt", "alpha words"), ("team/sub/c.txt", "c"), ("other/x.txt", "outside the prefix") })
                await AlphaBackend.PutObjectAsync(new PutObjectRequest { BucketName = "alpha-data", Key = key, ContentBody = body, UseChunkEncoding = false });
            using (var beta = S3Clients.Create(BetaRemote.Url, "BETAKEY", "beta-secret", defaults: false))
            {
                await beta.PutBucketAsync("shared");
                await beta.PutObjectAsync(new PutObjectRequest { BucketName = "shared", Key = "b.txt", ContentBody = "beta words", UseChunkEncoding = false });
            }
            await File.WriteAllTextAsync(Path.Join(Archive, "old.txt"), "kept as it is");
            await File.WriteAllTextAsync(Path.Join(Drop, "known-name.txt"), "for those who know the name");
            // The beta remote's keys come from a credentials file, as the aws CLI keeps them.
            await File.WriteAllTextAsync(_credentials, "[beta]\naws_access_key_id = BETAKEY\naws_secret_access_key = beta-secret\n");

            Proxy = await ProxyServer.StartAsync(new Dictionary<string, string?>
            {
                ["Overlay:Buckets:alpha:Remote:Endpoint"] = Alpha.Url,
                ["Overlay:Buckets:alpha:Remote:AddressingStyle"] = "path",
                ["Overlay:Buckets:alpha:Remote:AccessKey"] = "ALPHAKEY",
                ["Overlay:Buckets:alpha:Remote:SecretKey"] = "alpha-secret",
                ["Overlay:Buckets:alpha:Remote:Bucket"] = "alpha-data",
                ["Overlay:Buckets:alpha:Remote:Prefix"] = "team",
                ["Overlay:Buckets:alpha:Cache"] = "true",
                ["Overlay:Buckets:beta:Remote:Endpoint"] = Beta.Url,
                ["Overlay:Buckets:beta:Remote:AddressingStyle"] = "path",
                ["Overlay:Buckets:beta:Remote:CredentialsFile"] = _credentials,
                ["Overlay:Buckets:beta:Remote:Profile"] = "beta",
                ["Overlay:Buckets:beta:Remote:Bucket"] = "shared",
                ["Overlay:Buckets:broken:Remote:Endpoint"] = Beta.Url,
                ["Overlay:Buckets:broken:Remote:AddressingStyle"] = "path",
                ["Overlay:Buckets:broken:Remote:AccessKey"] = "ALPHAKEY", // beta's server knows only BETAKEY
                ["Overlay:Buckets:broken:Remote:SecretKey"] = "alpha-secret",
                ["Overlay:Buckets:broken:Remote:Bucket"] = "shared",
                ["Overlay:Buckets:archive:Folder"] = Archive,
                ["Overlay:Buckets:archive:ReadOnly"] = "true",
                ["Overlay:Buckets:archive:PublicRead"] = "true",
                ["Overlay:Buckets:drop:Folder"] = Drop,
                ["Overlay:Buckets:drop:Browseable"] = "false",
                ["Overlay:Buckets:inbox:Folder"] = Inbox,
            });
            Client = Proxy.CreateClient(defaults: false);
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Proxy.DisposeAsync();
            AlphaBackend.Dispose();
            await Alpha.DisposeAsync();
            await Beta.DisposeAsync();
            await AlphaRemote.DisposeAsync();
            await BetaRemote.DisposeAsync();
            File.Delete(_credentials);
            Directory.Delete(Archive, recursive: true);
            Directory.Delete(Inbox, recursive: true);
            Directory.Delete(Drop, recursive: true);
        }
    }

    private async Task<string> ReadAsync(string bucket, string key)
    {
        using var get = await s.Client.GetObjectAsync(bucket, key);
        return await new StreamReader(get.ResponseStream).ReadToEndAsync();
    }

    [Fact]
    public async Task Each_bucket_reads_its_own_remote_under_its_bucket_and_prefix_and_only_that_remote_is_asked()
    {
        var (alpha, beta) = (s.Alpha.TotalRequests, s.Beta.TotalRequests);
        Assert.Equal("alpha words", await ReadAsync("alpha", "a.txt"));
        Assert.True(s.Alpha.TotalRequests > alpha, "the alpha remote was never asked");
        Assert.Equal(beta, s.Beta.TotalRequests);

        (alpha, var betaGets) = (s.Alpha.TotalRequests, s.Beta.Requests("GET"));
        Assert.Equal("beta words", await ReadAsync("beta", "b.txt"));
        Assert.Equal("beta words", await ReadAsync("beta", "b.txt"));
        Assert.Equal(alpha, s.Alpha.TotalRequests);
        // beta does not cache (S3_OVERLAY_CACHE_ENABLED is unset): each read is one remote GET.
        Assert.Equal(betaGets + 2, s.Beta.Requests("GET"));

        // Listed inside the prefix, keys told without it; nothing outside it.
        var listing = await s.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "alpha" });
        Assert.Equal(["a.txt", "sub/c.txt"], listing.S3Objects.Select(o => o.Key).Order());
        var folders = await s.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "alpha", Delimiter = "/" });
        Assert.Equal(["sub/"], folders.CommonPrefixes);
        Assert.All(s.Alpha.Targets, t => Assert.DoesNotContain("other", t));
    }

    [Fact]
    public async Task A_bucket_s_own_Cache_flag_keeps_what_it_read()
    {
        Assert.Equal("c", await ReadAsync("alpha", "sub/c.txt"));
        await s.AlphaBackend.DeleteObjectAsync("alpha-data", "team/sub/c.txt");
        // The remote no longer has it: a read is the cache's.
        await EventuallyAsync(async () =>
        {
            try { return await ReadAsync("alpha", "sub/c.txt") == "c"; }
            catch (AmazonS3Exception) { return false; }
        }, "alpha's read left the object in the cache");
    }

    [Fact]
    public async Task A_wrong_credential_breaks_only_its_bucket()
    {
        var e = await Assert.ThrowsAsync<AmazonS3Exception>(() => ReadAsync("broken", "b.txt"));
        Assert.True((int)e.StatusCode >= 500, $"answered {(int)e.StatusCode} {e.ErrorCode}");
        Assert.Contains("remote store of bucket broken", e.Message); // 502, "... answered 403 InvalidAccessKeyId"
        // The same remote server, with its right key: unaffected.
        Assert.Equal("beta words", await ReadAsync("beta", "b.txt"));
    }

    [Fact]
    public async Task Writes_stay_local_a_read_only_folder_refuses_them_and_a_read_write_folder_keeps_them_as_files()
    {
        var before = s.Beta.Requests("PUT");
        await s.Client.PutObjectAsync(new PutObjectRequest { BucketName = "beta", Key = "mine.txt", ContentBody = "local", UseChunkEncoding = false });
        Assert.Equal("local", await ReadAsync("beta", "mine.txt"));
        Assert.Equal(before, s.Beta.Requests("PUT"));

        Assert.Equal("kept as it is", await ReadAsync("archive", "old.txt"));
        var put = await Assert.ThrowsAsync<AmazonS3Exception>(() =>
            s.Client.PutObjectAsync(new PutObjectRequest { BucketName = "archive", Key = "new.txt", ContentBody = "x", UseChunkEncoding = false }));
        Assert.Equal((HttpStatusCode.Forbidden, "AccessDenied"), (put.StatusCode, put.ErrorCode));
        var delete = await Assert.ThrowsAsync<AmazonS3Exception>(() => s.Client.DeleteObjectAsync("archive", "old.txt"));
        Assert.Equal("AccessDenied", delete.ErrorCode);
        Assert.Equal(["old.txt"], Directory.GetFiles(s.Archive).Select(Path.GetFileName));
        Assert.Equal("kept as it is", await File.ReadAllTextAsync(Path.Join(s.Archive, "old.txt")));

        await s.Client.PutObjectAsync(new PutObjectRequest { BucketName = "inbox", Key = "notes/today.txt", ContentBody = "written", UseChunkEncoding = false });
        Assert.Equal("written", await File.ReadAllTextAsync(Path.Join(s.Inbox, "notes", "today.txt")));
        Assert.Equal("written", await ReadAsync("inbox", "notes/today.txt"));
    }

    [Fact]
    public async Task PublicRead_opens_a_bucket_to_anyone_and_Browseable_false_makes_one_key_only()
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(s.Proxy.Url) };
        Assert.Equal("kept as it is", await anonymous.GetStringAsync("/archive/old.txt"));
        using (var notPublic = await anonymous.GetAsync("/inbox/"))
            Assert.Equal(HttpStatusCode.Forbidden, notPublic.StatusCode);

        Assert.Equal("for those who know the name", await ReadAsync("drop", "known-name.txt"));
        var list = await Assert.ThrowsAsync<AmazonS3Exception>(() => s.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "drop" }));
        Assert.Equal((HttpStatusCode.Forbidden, "AccessDenied"), (list.StatusCode, list.ErrorCode));
        // A missing key is not told apart from a present one, as S3 answers a caller that may not list.
        var missing = await Assert.ThrowsAsync<AmazonS3Exception>(() => ReadAsync("drop", "guess.txt"));
        Assert.Equal("AccessDenied", missing.ErrorCode);
        var buckets = (await s.Client.ListBucketsAsync()).Buckets.Select(b => b.BucketName).ToList();
        Assert.Contains("archive", buckets);
        Assert.DoesNotContain("drop", buckets);
    }

    /// <summary>One aws CLI run (1-3 s of Python start-up here, more under load): the one test of the class over 3 s.</summary>
    [Fact]
    public async Task The_aws_CLI_lists_a_remote_bucket_s_prefix()
    {
        using var aws = new ClientProcess();
        aws.UseAwsProfile();
        var listed = await aws.RunAsync("/usr/bin/aws", "s3", "ls", "--recursive", "s3://alpha/", "--endpoint-url", s.Proxy.Url, "--no-cli-pager");
        Assert.Contains(" a.txt", listed);
        Assert.Contains(" sub/c.txt", listed);
        Assert.DoesNotContain("team/", listed);
    }
}
