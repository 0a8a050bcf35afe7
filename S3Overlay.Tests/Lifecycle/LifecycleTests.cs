using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Cli;
using S3Overlay.Tests.Clients;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.S3;

namespace S3Overlay.Tests.Lifecycle;

/// <summary>
/// Bucket lifecycle as S3 documents it, against every store: the configuration put, read and
/// deleted by boto3 and the aws CLI, and the scanner applying it. The proxy scans every second and
/// its lifecycle day lasts <see cref="DaySeconds"/> seconds, as Ceph RGW's <c>rgw lc debug interval</c>
/// makes it, so a rule of one day acts within seconds.
/// </summary>
public abstract class LifecycleTests(StoreTargets target) : EveryStoreTests(target)
{
    protected const int DaySeconds = 3;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["S3_OVERLAY_LIFECYCLE_INTERVAL"] = "1",
        ["S3_OVERLAY_LIFECYCLE_DAY_SECONDS"] = DaySeconds.ToString(),
        ["S3_OVERLAY_KMS_SECRET_KEY"] = Storage.Encryption.EncryptionAtRestTests.MasterKey,
    };

    /// <summary>Long enough for a few scans of a busy machine.</summary>
    protected static readonly TimeSpan ScanDeadline = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task Boto3_puts_gets_and_deletes_a_configuration_refused_as_S3_refuses_it_and_reads_x_amz_expiration()
    {
        var bucket = await Target.NewBucketAsync();
        using var python = new ClientProcess();

        var output = await python.RunAsync("/usr/bin/python3", Path.Combine(AppContext.BaseDirectory, "Clients", "lifecycle_configuration.py"),
            Target.Proxy.Url, bucket);

        Assert.Equal("OK", output.Trim());
    }

    [Fact]
    public async Task The_aws_CLI_puts_gets_and_deletes_a_lifecycle_configuration()
    {
        var bucket = await Target.NewBucketAsync();
        using var aws = new ClientProcess();
        aws.UseAwsProfile();
        Task<ClientResult> Aws(params string[] arguments) =>
            aws.TryRunAsync(AwsCliShell.Program, ["s3api", .. arguments, "--bucket", bucket, "--endpoint-url", Target.Proxy.Url, "--no-cli-pager"]);

        var put = await Aws("put-bucket-lifecycle-configuration", "--lifecycle-configuration",
            """{"Rules":[{"ID":"logs","Filter":{"Prefix":"logs/"},"Status":"Enabled","Expiration":{"Days":30},"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7}}]}""");
        Assert.True(put.ExitCode == 0, put.StdErr);
        var got = await Aws("get-bucket-lifecycle-configuration");
        Assert.True(got.ExitCode == 0, got.StdErr);
        using (var answer = JsonDocument.Parse(got.StdOut))
        {
            var rule = Assert.Single(answer.RootElement.GetProperty("Rules").EnumerateArray());
            Assert.Equal(("logs", "logs/", "Enabled", 30, 7),
                (rule.GetProperty("ID").GetString(), rule.GetProperty("Filter").GetProperty("Prefix").GetString(), rule.GetProperty("Status").GetString(),
                 rule.GetProperty("Expiration").GetProperty("Days").GetInt32(), rule.GetProperty("AbortIncompleteMultipartUpload").GetProperty("DaysAfterInitiation").GetInt32()));
        }

        var zero = await Aws("put-bucket-lifecycle-configuration", "--lifecycle-configuration",
            """{"Rules":[{"ID":"z","Filter":{},"Status":"Enabled","Expiration":{"Days":0}}]}""");
        Assert.NotEqual(0, zero.ExitCode);
        Assert.Contains("(InvalidArgument)", zero.StdErr);
        Assert.Contains("'Days' for Expiration action must be a positive integer", zero.StdErr);

        Assert.Equal(0, (await Aws("delete-bucket-lifecycle")).ExitCode);
        var gone = await Aws("get-bucket-lifecycle-configuration");
        Assert.NotEqual(0, gone.ExitCode);
        Assert.Contains("(NoSuchLifecycleConfiguration)", gone.StdErr);
    }

    [Fact]
    public async Task PutBucketLifecycleConfiguration_needs_a_Content_MD5_or_a_checksum()
    {
        var bucket = await Target.NewBucketAsync();
        const string rules = "<LifecycleConfiguration><Rule><ID>a</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>";

        using (var bare = await RawS3.SendAsync(Target.Proxy, HttpMethod.Put, $"/{bucket}?lifecycle", rules))
            await RawS3.AssertErrorAsync(bare, 400, "InvalidRequest");
        using (var wrong = await RawS3.SendAsync(Target.Proxy, HttpMethod.Put, $"/{bucket}?lifecycle", rules, r => r.Content!.Headers.ContentMD5 = MD5.HashData("other"u8.ToArray())))
            await RawS3.AssertErrorAsync(wrong, 400, "BadDigest");
        using (var missing = await RawS3.SendAsync(Target.Proxy, HttpMethod.Get, $"/{bucket}?lifecycle"))
            await RawS3.AssertErrorAsync(missing, 404, "NoSuchLifecycleConfiguration");
        await PutRulesAsync(bucket, rules);
        using var got = await RawS3.SendAsync(Target.Proxy, HttpMethod.Get, $"/{bucket}?lifecycle");
        Assert.Equal(HttpStatusCode.OK, got.StatusCode);
        Assert.Equal(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule><ID>a</ID><Filter /><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>",
            await got.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// The scan deletes an object only if it still has the ETag it looked at, and clients are shown
    /// an encrypted object's ETag in another form than the store keeps: sealed objects expire too.
    /// </summary>
    [Fact]
    public async Task Encrypted_objects_expire_as_plain_ones_do()
    {
        var bucket = await Target.NewBucketAsync();
        await PutRulesAsync(bucket, "<LifecycleConfiguration><Rule><ID>sealed</ID><Filter><Prefix>sealed/</Prefix></Filter><Status>Enabled</Status>"
            + "<Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>");
        await PutAsync(bucket, "sealed/plain.bin", 10);
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "sealed/sse-s3.bin", ContentBody = "s3", ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256 });
        await Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket, Key = "sealed/sse-c.bin", ContentBody = "c",
            ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256,
            ServerSideEncryptionCustomerProvidedKey = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()),
        });

        await Polling.EventuallyAsync(async () => (await KeysAsync(bucket)).Count == 0, "the three objects expire", ScanDeadline);
    }

    [Fact]
    public async Task Objects_expire_a_day_after_they_were_written_when_prefix_tag_and_size_filters_hold_and_the_others_stay()
    {
        var bucket = await Target.NewBucketAsync();
        await PutRulesAsync(bucket, """
            <LifecycleConfiguration>
              <Rule><ID>by-prefix</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>
              <Rule><ID>by-tag</ID><Filter><Tag><Key>temp</Key><Value>yes</Value></Tag></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>
              <Rule><ID>by-size</ID><Filter><And><Prefix>big/</Prefix><ObjectSizeGreaterThan>100</ObjectSizeGreaterThan></And></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>
              <Rule><ID>off</ID><Filter><Prefix>keep/</Prefix></Filter><Status>Disabled</Status><Expiration><Days>1</Days></Expiration></Rule>
            </LifecycleConfiguration>
            """);
        var written = DateTimeOffset.UtcNow;
        await PutAsync(bucket, "logs/a.log", 10);
        await PutAsync(bucket, "keep/a.txt", 10);
        await PutAsync(bucket, "tagged/yes.txt", 10, "temp=yes");
        await PutAsync(bucket, "tagged/no.txt", 10, "temp=no");
        await PutAsync(bucket, "big/large.bin", 200);
        await PutAsync(bucket, "big/small.bin", 50);
        string[] expiring = ["big/large.bin", "logs/a.log", "tagged/yes.txt"];

        var clock = Stopwatch.StartNew();
        await Polling.EventuallyAsync(async () =>
        {
            var keys = await KeysAsync(bucket);
            // Never before its day has passed (a second less for a store that keeps whole seconds).
            if (expiring.Any(k => !keys.Contains(k))) Assert.True(DateTimeOffset.UtcNow - written >= TimeSpan.FromSeconds(DaySeconds - 1), $"expired early: {string.Join(", ", keys)}");
            return expiring.All(k => !keys.Contains(k));
        }, "the objects the rules name expire", ScanDeadline);

        Assert.Equal(["big/small.bin", "keep/a.txt", "tagged/no.txt"], await KeysAsync(bucket));
        using (var status = await StatusAsync())
        {
            var last = status.RootElement.GetProperty("lifecycle").GetProperty("last");
            Assert.True(last.GetProperty("objectsExamined").GetInt64() >= 3, last.ToString());
            Assert.Equal(0, last.GetProperty("failures").GetInt32());
        }
    }

    [Fact]
    public async Task A_date_that_has_passed_expires_at_the_next_scan_which_the_status_page_and_the_CLI_count()
    {
        var bucket = await Target.NewBucketAsync();
        await PutAsync(bucket, "dated/a.txt", 10);
        await PutAsync(bucket, "dated/b.txt", 10);
        await PutAsync(bucket, "undated/c.txt", 10);
        // The totals since start, not the last scan: the next scan replaces that a second on, and
        // the two objects may go in different scans. Other tests of this proxy expired objects
        // before this one began.
        var before = await ExpiredSinceStartAsync();

        await PutRulesAsync(bucket, "<LifecycleConfiguration><Rule><ID>past</ID><Filter><Prefix>dated/</Prefix></Filter><Status>Enabled</Status>"
            + "<Expiration><Date>2020-01-01T00:00:00.000Z</Date></Expiration></Rule></LifecycleConfiguration>");
        // HEAD tells the date right away, in the rule's own words. A scan (every second) may expire
        // the object before the HEAD comes (seen on a loaded machine): it is written again then.
        await Polling.EventuallyAsync(async () =>
        {
            using var head = await RawS3.SendAsync(Target.Proxy, HttpMethod.Head, $"/{bucket}/dated/a.txt");
            if (head.StatusCode == HttpStatusCode.NotFound)
            {
                await PutAsync(bucket, "dated/a.txt", 10);
                return false;
            }
            Assert.Equal(["expiry-date=\"Wed, 01 Jan 2020 00:00:00 GMT\", rule-id=\"past\""], head.Headers.GetValues("x-amz-expiration"));
            return true;
        }, "a HEAD of the object before a scan expires it", ScanDeadline);

        await Polling.EventuallyAsync(async () => (await KeysAsync(bucket)).SequenceEqual(["undated/c.txt"]), "the dated objects expire", ScanDeadline);
        // Counted just after each delete: a listing may come in between.
        await Polling.EventuallyAsync(async () => await ExpiredSinceStartAsync() - before >= 2, "the status page counts the two objects expired", ScanDeadline);
        // The CLI's line for the last scan needs one finished (the one that expired them may be the first).
        await Polling.EventuallyAsync(async () =>
        {
            using var status = await StatusAsync();
            var lifecycle = status.RootElement.GetProperty("lifecycle");
            Assert.Equal(1, lifecycle.GetProperty("intervalSeconds").GetDouble());
            return lifecycle.TryGetProperty("last", out var last) && last.ValueKind == JsonValueKind.Object;
        }, "a scan has finished", ScanDeadline);

        var run = await CliRun.RunAsync("status", "--server", Target.Proxy.Url);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Matches(@"lifecycle +last scan \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ: \d+ of \d+ objects expired, \d+ uploads aborted, \d+ buckets \(0 failed\)", run.Output);
        Assert.Matches(@"lifecycle +since start: [1-9]\d* scans, \d+ objects expired, \d+ uploads aborted", run.Output);
        using var page = new HttpClient();
        var html = await page.GetStringAsync(Target.Proxy.Url + "/_overlay/status");
        Assert.Contains("<h2>Lifecycle</h2>", html);
        Assert.Contains("objects examined / expired", html);
        Assert.Matches(@"since start</th><td class=""n"">[\d,]+ scans, [\d,]+ objects expired, [\d,]+ uploads aborted<", html);
    }

    [Fact]
    public async Task Multipart_uploads_a_day_old_are_aborted_and_others_stay()
    {
        var bucket = await Target.NewBucketAsync();
        await PutRulesAsync(bucket, "<LifecycleConfiguration><Rule><ID>uploads</ID><Filter><Prefix>mpu/</Prefix></Filter><Status>Enabled</Status>"
            + "<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>");
        var abandoned = await Client.InitiateMultipartUploadAsync(bucket, "mpu/abandoned.bin");
        await Client.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "mpu/abandoned.bin", UploadId = abandoned.UploadId, PartNumber = 1, InputStream = new MemoryStream(new byte[1000]) });
        var other = await Client.InitiateMultipartUploadAsync(bucket, "elsewhere/kept.bin");
        var started = DateTimeOffset.UtcNow;

        await Polling.EventuallyAsync(async () =>
        {
            var uploads = (await Client.ListMultipartUploadsAsync(bucket)).MultipartUploads ?? [];
            return uploads.All(u => u.UploadId != abandoned.UploadId);
        }, "the upload a day old is aborted", ScanDeadline);

        Assert.True(DateTimeOffset.UtcNow - started >= TimeSpan.FromSeconds(DaySeconds - 1), "aborted before its day had passed");
        var left = (await Client.ListMultipartUploadsAsync(bucket)).MultipartUploads ?? [];
        Assert.Equal([other.UploadId], left.Select(u => u.UploadId));
        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => Client.ListPartsAsync(bucket, "mpu/abandoned.bin", abandoned.UploadId));
        Assert.Equal("NoSuchUpload", error.ErrorCode);
        await Client.AbortMultipartUploadAsync(bucket, "elsewhere/kept.bin", other.UploadId);
    }

    [Fact]
    public async Task X_amz_expiration_on_HEAD_GET_and_PUT_tells_the_midnight_after_the_rules_days_in_S3s_calendar()
    {
        var bucket = await Target.NewBucketAsync();
        await PutRulesAsync(bucket, "<LifecycleConfiguration>"
            + "<Rule><ID>slow</ID><Filter><Prefix>n/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>200</Days></Expiration></Rule>"
            + "<Rule><ID>fast</ID><Filter><Prefix>n/a</Prefix></Filter><Status>Enabled</Status><Expiration><Days>100</Days></Expiration></Rule>"
            + "</LifecycleConfiguration>");

        using var put = await RawS3.SendAsync(Target.Proxy, HttpMethod.Put, $"/{bucket}/n/a.txt", "abc");
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using var head = await RawS3.SendAsync(Target.Proxy, HttpMethod.Head, $"/{bucket}/n/a.txt");
        using var get = await RawS3.SendAsync(Target.Proxy, HttpMethod.Get, $"/{bucket}/n/a.txt");
        using var other = await RawS3.SendAsync(Target.Proxy, HttpMethod.Head, $"/{bucket}/n/b.txt");
        using var elsewhere = await RawS3.SendAsync(Target.Proxy, HttpMethod.Put, $"/{bucket}/m/c.txt", "abc");

        var modified = head.Content.Headers.LastModified!.Value;
        // The first rule to fall due names it, in S3's calendar (the midnight UTC after 100 days),
        // though a scan's day here is DaySeconds seconds: what S3 and Ceph RGW tell.
        var expected = $"expiry-date=\"{modified.UtcDateTime.Date.AddDays(101).ToString("r")}\", rule-id=\"fast\"";
        Assert.Equal(expected, Header(head));
        Assert.Equal(expected, Header(get));
        Assert.Equal(expected, Header(put));
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Null(Header(elsewhere));

        static string? Header(HttpResponseMessage r) => r.Headers.TryGetValues("x-amz-expiration", out var v) ? string.Join(",", v) : null;
    }

    protected async Task PutRulesAsync(string bucket, string document)
    {
        using var response = await RawS3.SendAsync(Target.Proxy, HttpMethod.Put, $"/{bucket}?lifecycle", document,
            r => r.Content!.Headers.ContentMD5 = MD5.HashData(Encoding.UTF8.GetBytes(document)));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    protected async Task PutAsync(string bucket, string key, int size, string? tagging = null)
    {
        var request = new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(new byte[size]), UseChunkEncoding = false };
        if (tagging is not null) request.Headers["x-amz-tagging"] = tagging;
        await Client.PutObjectAsync(request);
    }

    protected async Task<List<string>> KeysAsync(string bucket) =>
        ((await Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects ?? []).Select(o => o.Key).Order(StringComparer.Ordinal).ToList();

    protected async Task<JsonDocument> StatusAsync()
    {
        using var http = new HttpClient();
        return JsonDocument.Parse(await http.GetStringAsync(Target.Proxy.Url + "/_overlay/status?format=json"));
    }

    /// <summary>The objects the scanner has expired since the proxy started, as the status page counts them.</summary>
    private async Task<long> ExpiredSinceStartAsync()
    {
        using var status = await StatusAsync();
        return status.RootElement.GetProperty("lifecycle").GetProperty("sinceStart").GetProperty("objectsExpired").GetInt64();
    }
}

[ConformanceTests]
public sealed class EmbeddedStoreLifecycleTests(StoreTargets target) : LifecycleTests(target)
{
    protected override StoreKind Kind => StoreKind.Embedded;
}

[ConformanceTests]
public sealed class RgwLocalStoreLifecycleTests(StoreTargets target) : LifecycleTests(target)
{
    protected override StoreKind Kind => StoreKind.RgwLocal;
}
