using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Versions;

/// <summary>
/// Versioning of a bucket a remote backs, through the overlay: the remote's objects are the null
/// versions, local writes stack versions over them, a delete is a delete marker that hides the
/// remote's object too, and the remote is never written. s3rver is the remote; each kind of local
/// store keeps the versions its own way.
/// </summary>
public abstract partial class RemoteBackedVersioningTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    protected abstract LocalStoreKind Kind { get; }

    private async Task<OverlayEnvironment> StartVersionedAsync(IDictionary<string, string?>? settings = null)
    {
        var env = await OverlayEnvironment.StartAsync(servers, Kind, settings);
        await env.Client.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = env.Bucket, VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
        });
        return env;
    }

    /// <summary>Puts an object on the remote directly, in one plain request (s3rver would keep an aws-chunked body as it came).</summary>
    private static Task<PutObjectResponse> SeedAsync(OverlayEnvironment env, string key, string body) =>
        env.Remote.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = key, ContentBody = body, UseChunkEncoding = false });

    private static async Task<string> BodyAsync(AmazonS3Client s3, string bucket, string key, string? versionId = null)
    {
        using var got = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key, VersionId = versionId });
        return await new StreamReader(got.ResponseStream).ReadToEndAsync();
    }

    /// <summary>Every entry of the version listing as (key, version id, latest, delete marker), read <paramref name="pageSize"/> at a time.</summary>
    private static async Task<List<(string Key, string Id, bool Latest, bool Marker)>> VersionsAsync(OverlayEnvironment env, int pageSize = 1000,
        string? prefix = null, string? delimiter = null, List<string>? prefixes = null)
    {
        var all = new List<(string, string, bool, bool)>();
        var request = new ListVersionsRequest { BucketName = env.Bucket, MaxKeys = pageSize, Prefix = prefix, Delimiter = delimiter };
        var trace = new System.Text.StringBuilder();
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages < 100, $"the listing never ends:\n{trace}");
            var page = await env.Client.ListVersionsAsync(request);
            var entries = (page.Versions ?? []).Count + (page.CommonPrefixes ?? []).Count;
            Assert.True(entries <= pageSize, $"a page of {entries} entries, {pageSize} asked");
            trace.AppendLine($"after ({request.KeyMarker}, {request.VersionIdMarker}): {string.Join(' ', (page.Versions ?? []).Select(v => v.Key + "@" + v.VersionId))} {string.Join(' ', page.CommonPrefixes ?? [])}");
            all.AddRange((page.Versions ?? []).Select(v => (v.Key, v.VersionId, v.IsLatest ?? false, v.IsDeleteMarker ?? false)));
            prefixes?.AddRange(page.CommonPrefixes ?? []);
            if (page.IsTruncated != true) return all;
            Assert.True(entries > 0, "a truncated page with nothing on it");
            request.KeyMarker = page.NextKeyMarker;
            request.VersionIdMarker = page.NextVersionIdMarker;
        }
    }

    [Fact]
    public async Task Local_writes_stack_versions_over_the_remotes_null_version_and_deletes_are_delete_markers_that_hide_it()
    {
        await using var env = await StartVersionedAsync();
        var s3 = env.Client;
        var remotePut = await SeedAsync(env, "doc.txt", "from the remote");
        Assert.Equal(VersionStatus.Enabled, (await s3.GetBucketVersioningAsync(env.Bucket)).VersioningConfig.Status);

        // A cold read is read through and not stored: a copy at the key would be a version.
        Assert.Equal("from the remote", await BodyAsync(s3, env.Bucket, "doc.txt"));
        await env.FillsIdleAsync();
        Assert.False(await env.IsStoredLocallyAsync("doc.txt"));
        Assert.Equal([("doc.txt", "null", true, false)], await VersionsAsync(env));

        var v1 = (await s3.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "doc.txt", ContentBody = "one" })).VersionId;
        var v2 = (await s3.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "doc.txt", ContentBody = "two" })).VersionId;
        Assert.False(string.IsNullOrEmpty(v1));
        Assert.NotEqual(v1, v2);
        Assert.NotEqual("null", v1);
        Assert.Equal("two", await BodyAsync(s3, env.Bucket, "doc.txt"));
        Assert.Equal("one", await BodyAsync(s3, env.Bucket, "doc.txt", v1));
        Assert.Equal("from the remote", await BodyAsync(s3, env.Bucket, "doc.txt", "null"));
        var nullHead = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = env.Bucket, Key = "doc.txt", VersionId = "null" });
        Assert.Equal(remotePut.ETag, nullHead.ETag);
        Assert.Equal("null", nullHead.VersionId);
        Assert.Equal([("doc.txt", v2, true, false), ("doc.txt", v1, false, false), ("doc.txt", "null", false, false)], await VersionsAsync(env));

        var deleted = await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = env.Bucket, Key = "doc.txt" });
        Assert.Equal("true", deleted.DeleteMarker);
        var marker = deleted.VersionId;
        Assert.False(string.IsNullOrEmpty(marker));
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => BodyAsync(s3, env.Bucket, "doc.txt"))).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => BodyAsync(s3, env.Bucket, "doc.txt", marker))).StatusCode);
        // The 404 of a key whose latest version is a delete marker says so, GET and HEAD alike, as S3's does.
        using (var http = env.Proxy.CreateHttpClient())
            foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
            {
                using var answer = await http.SendAsync(new HttpRequestMessage(method, $"{env.Bucket}/doc.txt"));
                Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
                Assert.Equal("true", answer.Headers.GetValues("x-amz-delete-marker").Single());
                Assert.Equal(marker, answer.Headers.GetValues("x-amz-version-id").Single());
            }
        Assert.Equal([("doc.txt", marker, true, true), ("doc.txt", v2, false, false), ("doc.txt", v1, false, false), ("doc.txt", "null", false, false)],
            await VersionsAsync(env));

        // The marker removed, then the local versions: the remote's object is the latest again.
        var unmarked = await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = env.Bucket, Key = "doc.txt", VersionId = marker });
        Assert.Equal("true", unmarked.DeleteMarker);
        Assert.Equal("two", await BodyAsync(s3, env.Bucket, "doc.txt"));
        await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = env.Bucket, Key = "doc.txt", VersionId = v2 });
        await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = env.Bucket, Key = "doc.txt", VersionId = v1 });
        Assert.Equal("from the remote", await BodyAsync(s3, env.Bucket, "doc.txt"));
        Assert.Equal([("doc.txt", "null", true, false)], await VersionsAsync(env));

        // The remote's null version deleted, the key has no version left: absent, no delete marker, as in S3.
        var nullDeleted = await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = env.Bucket, Key = "doc.txt", VersionId = "null" });
        Assert.Equal("null", nullDeleted.VersionId);
        Assert.NotEqual("true", nullDeleted.DeleteMarker);
        await AssertAbsentAsync(env, "doc.txt");
        Assert.Empty(await VersionsAsync(env));

        Assert.Equal("from the remote", await BodyAsync(env.Remote, env.Bucket, "doc.txt"));
        Assert.Equal(0, env.Relay.Requests("PUT") + env.Relay.Requests("DELETE") + env.Relay.Requests("POST"));
    }

    /// <summary>The <c>x-amz-version-id</c> a plain GET and HEAD of the key answer with; null when they name none.</summary>
    private static async Task<(string? Get, string? Head)> CurrentVersionIdsAsync(OverlayEnvironment env, string key)
    {
        using var http = env.Proxy.CreateHttpClient();
        var ids = new List<string?>();
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
        {
            using var answer = await http.SendAsync(new HttpRequestMessage(method, $"{env.Bucket}/{key}"));
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            ids.Add(answer.Headers.TryGetValues("x-amz-version-id", out var values) ? values.Single() : null);
        }
        return (ids[0], ids[1]);
    }

    [Fact]
    public async Task A_plain_read_of_the_remotes_object_names_the_null_version_once_the_bucket_keeps_versions()
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, Kind);
        await SeedAsync(env, "doc.txt", "from the remote");
        await SeedAsync(env, "other.txt", "also the remote's");
        // A bucket never versioned names no version, as S3 answers. (The read stores a copy: a
        // local object from before versioning, the null version too.)
        Assert.Equal(((string?)null, (string?)null), await CurrentVersionIdsAsync(env, "doc.txt"));
        await env.FillsIdleAsync();

        foreach (var status in new[] { VersionStatus.Enabled, VersionStatus.Suspended })
        {
            await env.Client.PutBucketVersioningAsync(new PutBucketVersioningRequest
            {
                BucketName = env.Bucket, VersioningConfig = new S3BucketVersioningConfig { Status = status },
            });
            Assert.Equal(("null", "null"), await CurrentVersionIdsAsync(env, "other.txt"));
        }
        await env.Client.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = env.Bucket, VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
        });
        Assert.Equal(("null", "null"), await CurrentVersionIdsAsync(env, "doc.txt"));
        var head = await env.Client.GetObjectMetadataAsync(env.Bucket, "doc.txt");
        Assert.Equal("null", head.VersionId);

        // A local version stacked over it is the one named; removed, the remote's is again.
        var mine = (await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "doc.txt", ContentBody = "mine" })).VersionId;
        Assert.NotEqual("null", mine);
        Assert.Equal((mine, mine), await CurrentVersionIdsAsync(env, "doc.txt"));
        await env.Client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = env.Bucket, Key = "doc.txt", VersionId = mine });
        Assert.Equal(("null", "null"), await CurrentVersionIdsAsync(env, "doc.txt"));

        // A copy of it names the version it copied.
        var copied = await env.Client.CopyObjectAsync(new CopyObjectRequest
            { SourceBucket = env.Bucket, SourceKey = "doc.txt", DestinationBucket = env.Bucket, DestinationKey = "copy.txt" });
        Assert.Equal("null", copied.SourceVersionId);
        Assert.Equal(0, env.Relay.Requests("PUT") + env.Relay.Requests("DELETE") + env.Relay.Requests("POST"));
    }

    [Fact]
    public async Task Version_listing_pages_resume_exactly_across_local_versions_markers_and_the_remotes_objects()
    {
        await using var env = await StartVersionedAsync();
        var s3 = env.Client;
        foreach (var key in new[] { "a", "b", "c", "d", "dir/remote", "f" })
            await SeedAsync(env, key, "remote " + key);
        async Task<string> PutAsync(string key) => (await s3.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = key, ContentBody = "local " + key })).VersionId;
        var b1 = await PutAsync("b");
        var b2 = await PutAsync("b");
        var c1 = await PutAsync("c");
        var d = (await s3.DeleteObjectAsync(env.Bucket, "d")).VersionId;
        var dir = await PutAsync("dir/local");
        var e1 = await PutAsync("e");

        List<(string, string, bool, bool)> expected =
        [
            ("a", "null", true, false),
            ("b", b2, true, false), ("b", b1, false, false), ("b", "null", false, false),
            ("c", c1, true, false), ("c", "null", false, false),
            ("d", d, true, true), ("d", "null", false, false),
            ("dir/local", dir, true, false), ("dir/remote", "null", true, false),
            ("e", e1, true, false),
            ("f", "null", true, false),
        ];
        Assert.Equal(expected, await VersionsAsync(env));
        foreach (var size in new[] { 1, 2, 3, 5 })
            Assert.Equal(expected, await VersionsAsync(env, size));
        Assert.Equal(expected[1..4], await VersionsAsync(env, 2, prefix: "b"));

        // With a delimiter, a prefix both sides hold is one entry, counted once on the page it is on.
        foreach (var size in new[] { 1, 4, 1000 })
        {
            var prefixes = new List<string>();
            Assert.Equal(expected.Where(v => !v.Item1.StartsWith("dir/", StringComparison.Ordinal)), await VersionsAsync(env, size, delimiter: "/", prefixes: prefixes));
            Assert.Equal(["dir/"], prefixes);
        }
    }

    [Fact]
    public async Task DeleteObjects_makes_delete_markers_and_removes_local_versions_by_id()
    {
        await using var env = await StartVersionedAsync();
        await SeedAsync(env, "plain", "remote plain");
        await SeedAsync(env, "stacked", "remote stacked");
        var mine = (await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "stacked", ContentBody = "mine" })).VersionId;

        var answer = await env.Client.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = env.Bucket,
            Objects = [new KeyVersion { Key = "plain" }, new KeyVersion { Key = "stacked", VersionId = mine }],
        });
        Assert.Empty(answer.DeleteErrors ?? []);
        var plain = Assert.Single(answer.DeletedObjects, d => d.Key == "plain");
        Assert.True(plain.DeleteMarker);
        Assert.False(string.IsNullOrEmpty(plain.DeleteMarkerVersionId));
        Assert.Equal(mine, Assert.Single(answer.DeletedObjects, d => d.Key == "stacked").VersionId);

        await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => BodyAsync(env.Client, env.Bucket, "plain"));
        Assert.Equal("remote stacked", await BodyAsync(env.Client, env.Bucket, "stacked"));
        Assert.Equal([("plain", plain.DeleteMarkerVersionId, true, true), ("plain", "null", false, false), ("stacked", "null", true, false)],
            await VersionsAsync(env));
    }

    [Fact]
    public async Task Without_merged_listings_the_version_listing_is_the_local_stores_alone_and_reads_still_reach_the_remote()
    {
        await using var env = await StartVersionedAsync(new Dictionary<string, string?> { ["S3_OVERLAY_MERGE_LISTINGS"] = "false" });
        await SeedAsync(env, "remote-only", "remote");
        await SeedAsync(env, "both", "remote");
        var local = (await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "both", ContentBody = "local" })).VersionId;
        var marker = (await env.Client.DeleteObjectAsync(env.Bucket, "gone")).VersionId;

        Assert.Equal([("both", local, true, false), ("gone", marker, true, true)], await VersionsAsync(env));
        Assert.Equal("remote", await BodyAsync(env.Client, env.Bucket, "remote-only", "null"));
    }

    [Fact]
    public async Task Boto3_enables_versioning_reads_the_null_version_and_pages_through_versions_and_markers()
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, Kind);
        foreach (var (key, body) in new[] { ("a.txt", "a"), ("c.txt", "c"), ("remote.txt", "from the remote") })
            await SeedAsync(env, key, body);
        using var python = new ClientProcess();
        var script = Path.Combine(AppContext.BaseDirectory, "Clients", "overlay_versions_boto3.py");
        Assert.Equal("OK", (await python.RunAsync("/usr/bin/python3", script, env.Proxy.Url, env.Bucket)).Trim());
        Assert.Equal("from the remote", await BodyAsync(env.Remote, env.Bucket, "remote.txt"));
        Assert.Equal(0, env.Relay.Requests("PUT") + env.Relay.Requests("DELETE") + env.Relay.Requests("POST"));
    }

    [Fact]
    public async Task Rclone_lists_the_remotes_object_as_an_old_version_beneath_a_local_write_reads_it_and_restores_it_by_time()
    {
        await using var env = await StartVersionedAsync();
        await SeedAsync(env, "doc.txt", "from the remote");
        await Task.Delay(1500); // rclone names an old version by its Last-Modified, in whole seconds
        var between = DateTime.UtcNow; // after the remote's object, before the local write
        await Task.Delay(1500);
        using var rclone = new ClientProcess();
        rclone.UseRcloneRemote(env.Proxy.Url);
        async Task<string> Rclone(params string[] arguments)
        {
            var result = await rclone.TryRunAsync("/usr/bin/rclone", [.. arguments, "--retries", "1", "--low-level-retries", "1"]);
            Assert.True(result.ExitCode == 0, $"rclone exited with {result.ExitCode}\n{result.StdOut}\n{result.StdErr}");
            return result.StdOut;
        }

        await Rclone("copyto", rclone.WriteFile("local.txt", "written locally"), $"overlay:{env.Bucket}/doc.txt");
        var names = (await Rclone("lsf", "--s3-versions", $"overlay:{env.Bucket}")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, names.Length);
        Assert.Contains("doc.txt", names);
        var old = Assert.Single(names, n => n.StartsWith("doc-v", StringComparison.Ordinal) && n.EndsWith(".txt", StringComparison.Ordinal));
        Assert.Equal("written locally", await Rclone("cat", $"overlay:{env.Bucket}/doc.txt"));
        Assert.Equal("from the remote", await Rclone("cat", "--s3-versions", $"overlay:{env.Bucket}/{old}"));

        // --s3-version-at reads the version current then, the remote's; copied back, it is the latest again (a local version).
        var at = between.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("from the remote", await Rclone("cat", "--s3-version-at", at, $"overlay:{env.Bucket}/doc.txt"));
        var restored = Path.Combine(rclone.Home, "restored.txt");
        await Rclone("copyto", "--s3-version-at", at, $"overlay:{env.Bucket}/doc.txt", restored);
        await Rclone("copyto", restored, $"overlay:{env.Bucket}/doc.txt");
        Assert.Equal("from the remote", await Rclone("cat", $"overlay:{env.Bucket}/doc.txt"));
        var versions = await VersionsAsync(env);
        Assert.Equal(3, versions.Count);
        Assert.Equal(("doc.txt", "null", false, false), versions[^1]);
        Assert.Equal(0, env.Relay.Requests("PUT") + env.Relay.Requests("DELETE") + env.Relay.Requests("POST"));
    }
}

/// <summary>The embedded store keeps the local versions.</summary>
[FunctionalTests]
[StartsFirst]
public sealed class RemoteBackedVersioningOverEmbeddedStoreTests(OverlayServers servers) : RemoteBackedVersioningTests(servers)
{
    protected override LocalStoreKind Kind => LocalStoreKind.Embedded;
}

/// <summary>Ceph's RADOS Gateway as the local store keeps them: its own version ids and delete markers.</summary>
[FunctionalTests]
[StartsFirst]
public sealed class RemoteBackedVersioningOverRgwLocalStoreTests(OverlayServers servers) : RemoteBackedVersioningTests(servers)
{
    protected override LocalStoreKind Kind => LocalStoreKind.Rgw;
}
