using System.Net;
using System.Text.RegularExpressions;
using Amazon.S3;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Browser;

/// <summary>The web browser over real HTTP: what its pages show, who may see them, and the S3 requests their links make.</summary>
[FunctionalTests]
public sealed class BrowserTests(BrowserFixture f) : IClassFixture<BrowserFixture>
{
    private const string Browse = "/_overlay/browse/";

    [Fact]
    public async Task Without_credentials_private_pages_answer_401_with_a_Basic_challenge()
    {
        var bucket = await f.NewBucketAsync();
        foreach (var path in new[] { Browse + "?sign-in", Browse + bucket + "/" })
        {
            using var anonymous = await f.VisitAsync(path, signedIn: false);
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            var challenge = Assert.Single(anonymous.Headers.WwwAuthenticate);
            Assert.Equal("Basic", challenge.Scheme);
            Assert.Contains("realm=", challenge.Parameter);
        }
        using var wrong = await f.VisitAsync(Browse, password: "not-the-secret");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);

        using var presign = await f.Http.PostAsync(f.Proxy.Url + Browse + bucket + "/presign",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["method"] = "PUT", ["key"] = "x" }));
        Assert.Equal(HttpStatusCode.Unauthorized, presign.StatusCode);
    }

    [Fact]
    public async Task The_start_page_lists_the_buckets_but_not_hidden_ones()
    {
        var bucket = await f.NewBucketAsync();
        var html = await f.PageAsync(Browse);
        var links = BrowserFixture.Attributes(html, "href");
        Assert.Contains($"{Browse}{bucket}/", links);
        Assert.Contains($"{Browse}{BrowserFixture.PublicBucket}/", links);
        Assert.DoesNotContain(BrowserFixture.SecretBucket, html);
        Assert.Contains("Signed in as <b>minioadmin</b>", html);
        Assert.Contains($"{Browse}{bucket}/", await f.PageAsync("/_overlay/browse"));

        using var hidden = await f.VisitAsync(Browse + BrowserFixture.SecretBucket + "/");
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        using var missing = await f.VisitAsync(Browse + "no-such-bucket/");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("No such bucket", await missing.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_folder_shows_breadcrumbs_folders_first_then_objects_with_sizes()
    {
        var bucket = await f.NewBucketAsync();
        await f.PutAsync(bucket, "photos/2024/a.jpg", new string('x', 10));
        await f.PutAsync(bucket, "photos/aaa.txt", new string('y', 2048));
        await f.PutAsync(bucket, "photos/zeta/b.jpg", "b");
        await f.PutAsync(bucket, "top.txt", "t");

        var html = await f.PageAsync($"{Browse}{bucket}/?prefix=photos%2F");
        var links = BrowserFixture.Attributes(html, "href");
        // Breadcrumbs back to the bucket list and the bucket root; the parent row too.
        Assert.Contains(Browse, links);
        Assert.Contains($"{Browse}{bucket}/", links);
        // Folders come before objects, even though "aaa.txt" sorts before "zeta/".
        var rows = Regex.Matches(html, @"<td class=""name""><a href=""([^""]*)""").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
        Assert.Equal(
        [
            $"{Browse}{bucket}/",
            $"{Browse}{bucket}/?prefix=photos%2F2024%2F",
            $"{Browse}{bucket}/?prefix=photos%2Fzeta%2F",
            $"{Browse}{bucket}/?key=photos%2Faaa.txt",
        ], rows);
        Assert.Contains(">2.0 KiB<", html);
        Assert.Contains("2,048 bytes", html);
        Assert.DoesNotContain("top.txt", html);
        Assert.Matches(@"<time datetime=""\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"">", html);
    }

    [Fact]
    public async Task Big_folders_page_with_continuation_tokens()
    {
        var bucket = await f.NewBucketAsync();
        var keys = Enumerable.Range(0, 7).Select(i => $"k{i}.txt").ToList();
        foreach (var key in keys) await f.PutAsync(bucket, key, key);

        var seen = new List<string>();
        var url = $"{Browse}{bucket}/?max-keys=3";
        var pages = 0;
        while (url is not null)
        {
            var html = await f.PageAsync(url);
            pages++;
            seen.AddRange(Regex.Matches(html, @"\?key=([^""]*)""").Select(m => Uri.UnescapeDataString(WebUtility.HtmlDecode(m.Groups[1].Value))));
            url = Regex.Match(html, @"<a href=""([^""]*)"" class=""btn"">Next page</a>") is { Success: true } next ? WebUtility.HtmlDecode(next.Groups[1].Value) : null;
            if (pages > 1) Assert.Contains("First page", html);
        }
        Assert.Equal(3, pages);
        Assert.Equal(keys, seen);
    }

    [Fact]
    public async Task Upload_download_and_delete_go_through_the_presigned_URLs_the_page_gives()
    {
        var bucket = await f.NewBucketAsync();
        await f.PutAsync(bucket, "docs/keep.txt", "k");
        var folder = await f.PageAsync($"{Browse}{bucket}/?prefix=docs%2F");
        var presign = Assert.Single(BrowserFixture.Attributes(folder, "data-presign").Distinct());
        Assert.Equal("docs/", Assert.Single(BrowserFixture.Attributes(folder, "data-prefix")));

        // Upload as the page's script does: a presigned PUT, sent without any credentials of its own.
        var body = Enumerable.Range(0, 5000).Select(i => (byte)(i % 251)).ToArray();
        var put = await f.PresignAsync(presign, "PUT", "docs/report 2024.bin");
        Assert.Contains("X-Amz-Signature=", put);
        using (var upload = await f.Http.PutAsync(f.Proxy.Url + put, new ByteArrayContent(body)))
            Assert.Equal(HttpStatusCode.OK, upload.StatusCode);

        folder = await f.PageAsync($"{Browse}{bucket}/?prefix=docs%2F");
        Assert.Contains(">report 2024.bin<", folder);
        Assert.Contains(">4.9 KiB<", folder);

        // The object page: its metadata, and a download link that supports ranges.
        await f.PutAsync(bucket, "docs/keep.txt", "k", r => { r.Metadata.Add("owner", "Ada"); r.ContentType = "text/plain"; });
        var page = await f.PageAsync($"{Browse}{bucket}/?key=docs%2Freport%202024.bin");
        var download = BrowserFixture.Attributes(page, "href").Single(h => h.Contains("X-Amz-Signature"));
        Assert.StartsWith($"/{bucket}/docs%2Freport%202024.bin?", download);
        using (var ranged = new HttpRequestMessage(HttpMethod.Get, f.Proxy.Url + download) { Headers = { Range = new(1000, 1099) } })
        using (var got = await f.Http.SendAsync(ranged))
        {
            Assert.Equal(HttpStatusCode.PartialContent, got.StatusCode);
            Assert.Equal(body[1000..1100], await got.Content.ReadAsByteArrayAsync());
            Assert.Equal("attachment", got.Content.Headers.ContentDisposition?.DispositionType);
            Assert.Equal("report 2024.bin", got.Content.Headers.ContentDisposition?.FileNameStar);
        }
        var etag = (await f.Client.GetObjectMetadataAsync(bucket, "docs/report 2024.bin")).ETag;
        Assert.Contains(WebUtility.HtmlEncode(etag), page);
        Assert.Contains("5,000 bytes", page);
        var keep = await f.PageAsync($"{Browse}{bucket}/?key=docs%2Fkeep.txt");
        Assert.Contains("<th>x-amz-meta-owner</th><td>Ada</td>", keep);
        Assert.Contains("<th>Content-Type</th><td>text/plain</td>", keep);

        // Delete: the button names the key; the page's script presigns a DELETE and sends it.
        Assert.Contains("docs/report 2024.bin", BrowserFixture.Attributes(page, "data-key"));
        var delete = await f.PresignAsync(presign, "DELETE", "docs/report 2024.bin");
        using (var deleted = await f.Http.DeleteAsync(f.Proxy.Url + delete))
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => f.Client.GetObjectMetadataAsync(bucket, "docs/report 2024.bin"));
        Assert.DoesNotContain("report 2024.bin", await f.PageAsync($"{Browse}{bucket}/?prefix=docs%2F"));
        using var gone = await f.VisitAsync($"{Browse}{bucket}/?key=docs%2Freport%202024.bin");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Hostile_keys_and_metadata_are_escaped_everywhere()
    {
        var bucket = await f.NewBucketAsync();
        const string key = "<script>alert(1)</script>.txt";
        const string quoted = "q\"uo'te&amp;<b>.txt";
        await f.PutAsync(bucket, key, "payload", r => r.Metadata.Add("note", "<img src=x onerror=alert(2)>"));
        await f.PutAsync(bucket, quoted, "q");

        var folder = await f.PageAsync($"{Browse}{bucket}/");
        var page = await f.PageAsync($"{Browse}{bucket}/?key={Uri.EscapeDataString(key)}");
        foreach (var html in new[] { folder, page })
        {
            Assert.DoesNotContain("<script>alert", html);
            Assert.DoesNotContain("<img src=x", html);
            Assert.DoesNotContain("<b>.txt", html);
            Assert.Single(Regex.Matches(html, "<script")); // the page's own, with its nonce
        }
        // The key holds a '/': at the bucket's root it is a folder, "<script>alert(1)</".
        Assert.Contains("&lt;script&gt;alert(1)&lt;/<", folder);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;.txt", page);
        Assert.Contains("q&quot;uo&#39;te&amp;amp;&lt;b&gt;.txt", folder);
        Assert.Contains("&lt;img src=x onerror=alert(2)&gt;", page);
        Assert.Contains(key, BrowserFixture.Attributes(page, "data-key"));

        using var response = await f.VisitAsync($"{Browse}{bucket}/?key={Uri.EscapeDataString(key)}");
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'nonce-", csp);

        // The hostile key's download link still fetches exactly that object.
        var download = BrowserFixture.Attributes(page, "href").Single(h => h.Contains("X-Amz-Signature"));
        Assert.Equal("payload", await f.Http.GetStringAsync(f.Proxy.Url + download));
    }

    [Fact]
    public async Task Public_buckets_are_browsable_read_only_without_credentials_and_hidden_keys_never_show()
    {
        var index = await f.PageAsync(Browse, signedIn: false);
        Assert.Contains($"{Browse}{BrowserFixture.PublicBucket}/", BrowserFixture.Attributes(index, "href"));
        var privateBucket = await f.NewBucketAsync();
        Assert.DoesNotContain(privateBucket, index);
        Assert.Contains("Sign in", index);

        var folder = await f.PageAsync($"{Browse}{BrowserFixture.PublicBucket}/", signedIn: false);
        Assert.Contains(">hello.txt<", folder);
        Assert.DoesNotContain("private", folder);
        Assert.DoesNotContain("id=\"drop\"", folder);
        Assert.DoesNotContain("data-delete data-key", folder);
        // An anonymous visitor's download is a plain GET, which a public bucket allows.
        var download = BrowserFixture.Attributes(folder, "href").Single(h => h.StartsWith($"/{BrowserFixture.PublicBucket}/"));
        Assert.Equal("hello, world", await f.Http.GetStringAsync(f.Proxy.Url + download));

        var signedIn = await f.PageAsync($"{Browse}{BrowserFixture.PublicBucket}/");
        Assert.DoesNotContain("private", signedIn);
        Assert.Contains("id=\"drop\"", signedIn);
        using var hiddenKey = await f.VisitAsync($"{Browse}{BrowserFixture.PublicBucket}/?key=private%2Fpasswords.txt");
        Assert.Equal(HttpStatusCode.NotFound, hiddenKey.StatusCode);
        Assert.DoesNotContain("hunter2", await hiddenKey.Content.ReadAsStringAsync());
        var folderInside = await f.PageAsync($"{Browse}{BrowserFixture.PublicBucket}/?prefix=private%2F");
        Assert.Contains("This folder is empty.", folderInside);
    }
}
