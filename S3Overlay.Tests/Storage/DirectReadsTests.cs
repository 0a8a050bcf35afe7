using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;
using S3Overlay.Storage.S3;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Tests.Storage;

/// <summary>
/// The S3 store's GET, HEAD and ListObjectsV2 sent without the SDK (<see cref="DirectReads"/>): signed as AWS
/// documents, the key on the wire as S3 reads it, and a failed answer tried once more, as the
/// SDK does for everything else. That servers accept what it sends is shown wherever an S3 store
/// reads from s3rver or from the proxy itself (both check signatures).
/// </summary>
[FunctionalTests]
public class DirectReadsTests
{
    private static S3StoreOptions Options(string url, bool pathStyle = true) =>
        new("remote store", new Uri(url), PathStyle: pathStyle, AccessKey: "AKIAIOSFODNN7EXAMPLE", SecretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");

    [Fact]
    public void A_ranged_GET_is_signed_as_AWS_documents_it()
    {
        // AWS's worked example "GET Object" (Signature Version 4, header-based authentication).
        using var http = new HttpClient();
        var reads = new DirectReads(Options("https://s3.amazonaws.com", pathStyle: false), http);

        using var request = reads.Sign(HttpMethod.Get, "examplebucket", "test.txt", "bytes=0-9", new DateTimeOffset(2013, 5, 24, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal("https://examplebucket.s3.amazonaws.com/test.txt", request.RequestUri!.AbsoluteUri);
        Assert.Equal("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
            request.Headers.NonValidated["Authorization"].ToString());
    }

    [Fact]
    public void A_listing_is_signed_as_AWS_documents_it()
    {
        // AWS's worked example "GET Bucket (List Objects)": the query's parameters signed in their sorted order.
        using var http = new HttpClient();
        var reads = new DirectReads(Options("https://s3.amazonaws.com", pathStyle: false), http);

        using var request = reads.Sign(HttpMethod.Get, "examplebucket", "", [("max-keys", "2"), ("prefix", "J")], [], new DateTimeOffset(2013, 5, 24, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal("https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J", request.RequestUri!.AbsoluteUri);
        Assert.EndsWith("SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
            request.Headers.NonValidated["Authorization"].ToString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_listing_page_is_asked_for_encoded_and_read_with_its_names_decoded(bool serverEncodes)
    {
        var targets = new ConcurrentQueue<string>();
        string Name(string name) => serverEncodes ? Uri.EscapeDataString(name) : System.Security.SecurityElement.Escape(name);
        await using var server = await ScriptedServer.StartAsync(async c =>
        {
            targets.Enqueue(c.Features.Get<IHttpRequestFeature>()!.RawTarget);
            c.Response.ContentType = "application/xml";
            // As S3 writes it: fields the store has no use for (Owner, StorageClass, Name) between those it reads.
            await c.Response.WriteAsync($"""
                <?xml version="1.0" encoding="UTF-8"?>
                <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bucket</Name><Prefix>{Name("a ü/")}</Prefix>
                {(serverEncodes ? "<EncodingType>url</EncodingType>" : "")}<KeyCount>3</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>%2F</Delimiter><IsTruncated>true</IsTruncated>
                <Contents><Key>{Name("a ü/x&y+z")}</Key><LastModified>2026-11-28T22:31:07.123Z</LastModified><ETag>&quot;0123&quot;</ETag><Size>12</Size><Owner><ID>o</ID></Owner><StorageClass>STANDARD</StorageClass></Contents>
                <Contents><Key>{Name("a ü/y")}</Key><LastModified>2026-11-28T22:31:08Z</LastModified><ETag>&quot;4567-2&quot;</ETag><Size>0</Size></Contents>
                <CommonPrefixes><Prefix>{Name("a ü/d/")}</Prefix></CommonPrefixes>
                </ListBucketResult>
                """);
        });
        using var store = new S3ObjectStore(Options(server.Url));

        var page = await store.ListObjectsAsync("bucket", new ListRequest("a ü/", "/", MaxKeys: 3), CancellationToken.None);

        Assert.Equal(["/bucket/?delimiter=%2F&encoding-type=url&list-type=2&max-keys=4&prefix=a%20%C3%BC%2F"], targets.ToArray());
        Assert.Equal(["a ü/d/"], page.CommonPrefixes);
        Assert.Equal(["a ü/x&y+z", "a ü/y"], page.Objects.Select(o => o.Key));
        Assert.Equal([12L, 0L], page.Objects.Select(o => o.Size));
        Assert.Equal(["\"0123\"", "\"4567-2\""], page.Objects.Select(o => o.ETag));
        Assert.Equal([new DateTimeOffset(2026, 11, 28, 22, 31, 7, 123, TimeSpan.Zero), new DateTimeOffset(2026, 11, 28, 22, 31, 8, TimeSpan.Zero)],
            page.Objects.Select(o => o.LastModified));
        // Three entries, as many as asked for, and the server has more: the next page starts after the last.
        Assert.True(page.IsTruncated);
        Assert.Equal("a ü/y", page.NextStartAfter);
    }

    [Fact]
    public async Task A_page_a_server_sent_in_UTF16_order_is_listed_in_S3s_UTF8_order()
    {
        // U+1F600 (a surrogate pair, D83D DE00) sorts before U+FF61 by UTF-16 code units, after it by UTF-8 bytes (F0 against EF).
        await using var server = await ScriptedServer.StartAsync(c => c.Response.WriteAsync($"""
            <ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>
            <Contents><Key>{Uri.EscapeDataString("\U0001F600")}</Key><Size>1</Size><ETag>&quot;a&quot;</ETag></Contents>
            <Contents><Key>{Uri.EscapeDataString("\uFF61")}</Key><Size>2</Size><ETag>&quot;b&quot;</ETag></Contents>
            <CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes>
            </ListBucketResult>
            """));
        using var store = new S3ObjectStore(Options(server.Url));

        var page = await store.ListObjectsAsync("bucket", new ListRequest(Delimiter: "/"), CancellationToken.None);

        Assert.Equal(["\uFF61", "\U0001F600"], page.Objects.Select(o => o.Key));
        Assert.Equal(["a/"], page.CommonPrefixes);
    }

    [Fact]
    public async Task Keys_go_on_the_wire_encoded_as_S3_reads_them_and_dot_segments_never()
    {
        var targets = new ConcurrentQueue<string>();
        await using var server = await ScriptedServer.StartAsync(async c =>
        {
            targets.Enqueue(c.Features.Get<IHttpRequestFeature>()!.RawTarget);
            c.Response.Headers.ETag = $"\"{Convert.ToHexStringLower(MD5.HashData("body"u8))}\"";
            await c.Response.WriteAsync("body");
        });
        using var store = new S3ObjectStore(Options(server.Url));

        string[] keys = ["a b/ü+c=d", "x//y/", "a./.b/c..", "..."];
        foreach (var key in keys)
        {
            await using var content = await store.GetObjectAsync("bucket", key, ObjectReadRequest.Whole, CancellationToken.None);
            Assert.Equal(key, content.Info.Key);
        }
        // A server (or a proxy before it) may resolve "a/../b" to "b", another key: never sent.
        foreach (var key in new[] { "a/../b", "./c", "../other/k" })
        {
            var refused = await Assert.ThrowsAsync<StorageException>(() => store.GetObjectAsync("bucket", key, ObjectReadRequest.Whole, CancellationToken.None));
            Assert.Equal("InvalidObjectName", refused.Error.Code);
        }

        Assert.Equal(["/bucket/a%20b/%C3%BC%2Bc%3Dd", "/bucket/x//y/", "/bucket/a./.b/c..", "/bucket/..."], targets.ToArray());
    }

    [Fact]
    public async Task A_server_error_is_tried_once_more_and_its_answer_then_kept()
    {
        var requests = 0;
        await using var server = await ScriptedServer.StartAsync(async c =>
        {
            if (Interlocked.Increment(ref requests) == 1)
            {
                c.Response.StatusCode = 500;
                return;
            }
            c.Response.Headers.ETag = "\"x\"";
            await c.Response.WriteAsync("second answer");
        });
        using var store = new S3ObjectStore(Options(server.Url));

        await using var content = await store.GetObjectAsync("bucket", "key", ObjectReadRequest.Whole, CancellationToken.None);

        using var reader = new StreamReader(content.Body, Encoding.UTF8);
        Assert.Equal("second answer", await reader.ReadToEndAsync());
        Assert.Equal(2, requests);
    }

    [Fact]
    public async Task A_server_that_keeps_failing_is_asked_twice_then_reported()
    {
        var requests = 0;
        await using var server = await ScriptedServer.StartAsync(c =>
        {
            Interlocked.Increment(ref requests);
            c.Response.StatusCode = 503;
            return Task.CompletedTask;
        });
        using var store = new S3ObjectStore(Options(server.Url));

        var e = await Assert.ThrowsAsync<StorageException>(() => store.GetObjectAsync("bucket", "key", ObjectReadRequest.Whole, CancellationToken.None));

        Assert.Equal(503, e.Error.Status);
        Assert.Equal(2, requests);
    }

    [Fact]
    public async Task A_client_error_is_not_asked_again_and_an_endless_error_body_is_not_read_to_its_end()
    {
        var requests = 0;
        await using var server = await ScriptedServer.StartAsync(async c =>
        {
            Interlocked.Increment(ref requests);
            c.Response.StatusCode = 403;
            var junk = new byte[64 * 1024];
            while (!c.RequestAborted.IsCancellationRequested) await c.Response.Body.WriteAsync(junk, c.RequestAborted);
        });
        using var store = new S3ObjectStore(Options(server.Url));

        var e = await Assert.ThrowsAsync<StorageException>(() => store.GetObjectAsync("bucket", "key", ObjectReadRequest.Whole, CancellationToken.None));

        Assert.Equal(502, e.Error.Status);
        Assert.Equal(1, requests);
    }
}
