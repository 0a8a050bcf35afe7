using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;
using static S3Overlay.Tests.S3.PostObject.PostForms;

namespace S3Overlay.Tests.S3.PostObject;

/// <summary>
/// A browser upload as an attacker would send it: a file too large to hold must stream to the
/// store, the fields before it are capped, and fields that are not object headers never reach the
/// store, even when a careless signer's policy names them.
/// </summary>
[FunctionalTests]
public sealed class PostObjectLimitsTests
{
    private const int Seed = 14;

    [Fact]
    public async Task The_file_streams_to_the_store_while_the_browser_is_still_sending_it()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var s3 = proxy.CreateClient(defaults: false);
        await s3.PutBucketAsync("big");
        const long Before = 8L << 20, After = 56L << 20;
        var onDisk = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var http = Client(proxy);
        using var form = Content(SignedV4("big", [("key", "big.bin")]), new GatedContent(Before, After, onDisk.Task), "big.bin");

        var upload = http.PostAsync("big", form);
        // The client holds back the last 56 MiB until the first 8 MiB are on the store's disk: a
        // server that buffered the file (or the whole form) first would never get there.
        await EventuallyAsync(() => LargestFile(proxy.DataDir) >= 4L << 20, "the first megabytes of the file reach the store before the rest is sent");
        onDisk.SetResult();
        using var response = await upload;

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        using var expected = PatternData.Open(Before + After, Seed);
        Assert.Equal($"\"{Convert.ToHexStringLower(await MD5.HashDataAsync(expected))}\"", response.Headers.ETag?.ToString());
        Assert.Equal(Before + After, (await s3.GetObjectMetadataAsync("big", "big.bin")).ContentLength);
    }

    [Fact]
    public async Task Fields_before_the_file_are_capped_as_S3_caps_them()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var s3 = proxy.CreateClient(defaults: false);
        await s3.PutBucketAsync("capped");
        using var http = Client(proxy);
        using var content = Content(SignedV4("capped", [("key", "k.txt"), ("x-amz-meta-big", new string('x', 21 * 1024))]), "small"u8.ToArray());

        using var response = await http.PostAsync("capped", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("<Code>MaxPostPreDataLengthExceededError</Code>", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Fields_that_are_not_object_headers_never_reach_the_store_even_when_signed()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var s3 = proxy.CreateClient(defaults: false);
        await s3.PutBucketAsync("guarded");
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "guarded", Key = "secret.txt", ContentBody = "the secret", UseChunkEncoding = false });
        using var http = Client(proxy);
        var fields = SignedV4("guarded",
        [
            ("key", "mine.txt"), ("x-amz-copy-source", "/guarded/secret.txt"), ("x-amz-metadata-directive", "REPLACE"),
            ("x-amz-grant-read", "uri=\"http://acs.amazonaws.com/groups/global/AllUsers\""),
        ]);
        using var content = Content(fields, "mine"u8.ToArray());

        using var response = await http.PostAsync("guarded", content);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        using var got = await s3.GetObjectAsync("guarded", "mine.txt");
        Assert.Equal("mine", await new StreamReader(got.ResponseStream).ReadToEndAsync());
        var acl = await s3.GetObjectAclAsync(new GetObjectAclRequest { BucketName = "guarded", Key = "mine.txt" });
        Assert.DoesNotContain(acl.Grants, g => g.Grantee.URI is not null);
    }

    [Fact]
    public async Task A_virtual_hosted_form_upload_answers_with_the_objects_virtual_hosted_address()
    {
        await using var proxy = await ProxyServer.StartAsync(new Dictionary<string, string?> { ["S3_OVERLAY_BASE_DOMAIN"] = "s3.example.test" });
        using var s3 = proxy.CreateClient(defaults: false);
        await s3.PutBucketAsync("vhost");
        using var http = Client(proxy);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = Content(SignedV4("vhost", [("key", "a b.txt"), ("success_action_status", "201")]), "v"u8.ToArray()) };
        request.Headers.Host = "vhost.s3.example.test";

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("http://vhost.s3.example.test/a%20b.txt", response.Headers.Location?.OriginalString);
        Assert.Contains("<Location>http://vhost.s3.example.test/a%20b.txt</Location>", await response.Content.ReadAsStringAsync());
        using var got = await s3.GetObjectAsync("vhost", "a b.txt");
        Assert.Equal("v", await new StreamReader(got.ResponseStream).ReadToEndAsync());
    }

    private static long LargestFile(string dir)
    {
        long largest = 0;
        foreach (var path in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            try { largest = Math.Max(largest, new FileInfo(path).Length); }
            catch (IOException) { } // a temporary file renamed or removed meanwhile
        }
        return largest;
    }

    /// <summary>A file part that sends its first bytes, then waits (bounded) for the gate before the rest.</summary>
    private sealed class GatedContent(long before, long after, Task gate) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            using var source = PatternData.Open(before + after, Seed);
            await CopyAsync(source, stream, before);
            await stream.FlushAsync();
            await gate.WaitAsync(TimeSpan.FromSeconds(30));
            await CopyAsync(source, stream, after);
        }

        private static async Task CopyAsync(Stream from, Stream to, long count)
        {
            var buffer = new byte[81920];
            while (count > 0)
            {
                var n = await from.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)));
                await to.WriteAsync(buffer.AsMemory(0, n));
                count -= n;
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = before + after;
            return true;
        }
    }
}
