using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Amazon.S3.Model;
using S3Overlay.Tests.S3.PostObject;
using static S3Overlay.Tests.S3.Policies.PermissionFixture;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3.Policies;

/// <summary>Where a permission is decided beyond one request's operation: listings of buckets, per-key deletes, forms, missing keys, the admin API.</summary>
[FunctionalTests]
public sealed class PermissionTests(PermissionFixture f) : IClassFixture<PermissionFixture>
{
    [Fact]
    public async Task ListBuckets_shows_a_limited_user_only_the_buckets_it_may_use_and_anonymous_none()
    {
        async Task<List<string>> NamesAsync(string user) =>
            (await f.Client(user).ListBucketsAsync()).Buckets!.Select(b => b.BucketName).Where(n => n is Team or Other or Pub).Order().ToList();
        Assert.Equal([Other, Pub, Team], await NamesAsync("root"));
        Assert.Equal([Other, Pub, Team], await NamesAsync("ro"));
        Assert.Equal([Pub, Team], await NamesAsync("one")); // pub: its policy lets anyone read it
        using var anonymous = await f.Proxy.CreateHttpClient(signed: false).GetAsync("");
        Assert.Equal(HttpStatusCode.Forbidden, anonymous.StatusCode);
    }

    [Fact]
    public async Task DeleteObjects_judges_each_key_and_leaves_the_denied_ones()
    {
        var free = "free-" + Guid.NewGuid().ToString("N")[..8];
        var locked = "locked/" + free;
        foreach (var key in new[] { free, locked }) await f.Root.PutObjectAsync(new PutObjectRequest { BucketName = Team, Key = key, ContentBody = "x" });

        var result = (await Assert.ThrowsAsync<Amazon.S3.DeleteObjectsException>(() => f.Client("rw").DeleteObjectsAsync(
            new DeleteObjectsRequest { BucketName = Team, Objects = [new KeyVersion { Key = free }, new KeyVersion { Key = locked }] }))).Response;

        Assert.Equal([free], result.DeletedObjects!.Select(d => d.Key));
        var error = Assert.Single(result.DeleteErrors!);
        Assert.Equal((locked, "AccessDenied"), (error.Key, error.Code));
        Assert.False(await f.ExistsAsync(Team, free));
        Assert.True(await f.ExistsAsync(Team, locked));
    }

    [Fact]
    public async Task A_delete_if_match_with_an_etag_asks_s3_GetObject_too()
    {
        var key = "cond-" + Guid.NewGuid().ToString("N")[..8];
        var etag = (await f.Root.PutObjectAsync(new PutObjectRequest { BucketName = Team, Key = key, ContentBody = "x" })).ETag;

        // The ETag tells of the object: S3 asks for the right to read it (the user may only delete).
        var denied = await Assert.ThrowsAnyAsync<Amazon.S3.AmazonS3Exception>(() => f.Client("del").DeleteObjectAsync(new DeleteObjectRequest { BucketName = Team, Key = key, IfMatch = etag }));
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.True(await f.ExistsAsync(Team, key));
        // '*' asks only that an object be there.
        await f.Client("del").DeleteObjectAsync(new DeleteObjectRequest { BucketName = Team, Key = key, IfMatch = "*" });
        Assert.False(await f.ExistsAsync(Team, key));
    }

    [Fact]
    public async Task A_browser_upload_carries_its_signer_s_rights()
    {
        using var http = PostForms.Client(f.Proxy);
        async Task<HttpStatusCode> PostAsync(string user, string key)
        {
            var fields = PostForms.SignedV4(Other, [("key", key)], accessKey: user, secretKey: Secret(user));
            using var response = await http.PostAsync(Other, PostForms.Content(fields, "posted"u8.ToArray()));
            return response.StatusCode;
        }
        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync("ro", "posted-by-ro"));
        Assert.False(await f.ExistsAsync(Other, "posted-by-ro"));
        Assert.Equal(HttpStatusCode.NoContent, await PostAsync("wo", "posted-by-wo"));
        Assert.True(await f.ExistsAsync(Other, "posted-by-wo"));
    }

    [Fact]
    public async Task A_missing_key_is_NoSuchKey_only_to_callers_who_may_list_the_bucket()
    {
        using var anonymous = f.Proxy.CreateHttpClient(signed: false);
        using (var listable = await anonymous.GetAsync($"{Pub}/missing"))
            Assert.Equal(("NoSuchKey", HttpStatusCode.NotFound), (await RawS3.ErrorCodeAsync(listable), listable.StatusCode));
        // wo may read team/shared/* (the bucket policy) but not list team: it learns nothing of what is missing.
        var e = await Assert.ThrowsAsync<Amazon.S3.AmazonS3Exception>(() => f.Client("wo").GetObjectAsync(Team, "shared/missing"));
        Assert.Equal(("AccessDenied", HttpStatusCode.Forbidden), (e.ErrorCode, e.StatusCode));
    }

    [Theory]
    [InlineData("ro", HttpStatusCode.Forbidden)]
    [InlineData("rw", HttpStatusCode.Forbidden)]
    [InlineData("adm", HttpStatusCode.NotFound)] // let in; without a remote the overlay is off
    [InlineData("legacy", HttpStatusCode.NotFound)]
    [InlineData("root", HttpStatusCode.NotFound)]
    public async Task The_admin_API_is_for_admin_users(string user, HttpStatusCode expected)
    {
        using var http = new HttpClient { BaseAddress = new Uri(f.Proxy.Url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{Secret(user)}")));
        using var response = await http.GetAsync($"/_overlay/api/cache/{Team}");
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task The_web_browser_shows_each_user_what_it_may_do()
    {
        async Task<(HttpStatusCode Status, string Page)> BrowseAsync(string user, string path)
        {
            using var http = new HttpClient { BaseAddress = new Uri(f.Proxy.Url) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{Secret(user)}")));
            using var response = await http.GetAsync("/_overlay/browse/" + path);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        var (_, index) = await BrowseAsync("one", "");
        Assert.Contains($"/_overlay/browse/{Team}/", index);
        Assert.DoesNotContain($"/_overlay/browse/{Other}/", index);
        Assert.Equal(HttpStatusCode.Forbidden, (await BrowseAsync("one", $"{Other}/")).Status);

        var (status, readOnly) = await BrowseAsync("ro", $"{Other}/");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(Seed, readOnly);
        Assert.DoesNotContain("Upload files", readOnly);
        Assert.Contains("Upload files", (await BrowseAsync("rw", $"{Other}/")).Page);
    }
}
