using Microsoft.AspNetCore.Http;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;
using S3Overlay.Storage.S3;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Tests.Storage;

/// <summary>
/// What the S3 store makes of a server that misbehaves: a scripted HTTP server on loopback
/// answers what each test needs (errors, stalls), and the store is driven as the overlay does.
/// </summary>
[FunctionalTests]
public class S3StoreFailureTests
{
    private static S3ObjectStore StoreFor(string url, TimeSpan? idle = null) =>
        new(new S3StoreOptions("remote store", new Uri(url), AccessKey: "k", SecretKey: "s") { ReadIdleTimeout = idle ?? TimeSpan.FromSeconds(30) });

    private static async Task Answer(HttpContext context, int status, string? code)
    {
        context.Response.StatusCode = status;
        if (code is null || context.Request.Method == "HEAD") return;
        context.Response.ContentType = "application/xml";
        await context.Response.WriteAsync($"<?xml version=\"1.0\"?><Error><Code>{code}</Code><Message>scripted</Message></Error>");
    }

    [Theory]
    [InlineData(403, "AccessDenied", "BadGateway", 502)]
    [InlineData(500, "InternalError", "BadGateway", 502)]
    [InlineData(503, "SlowDown", "ServiceUnavailable", 503)]
    [InlineData(404, "NoSuchKey", "NoSuchKey", 404)]
    [InlineData(412, "PreconditionFailed", "PreconditionFailed", 412)]
    public async Task Server_errors_keep_their_meaning_and_are_never_a_fake_404(int status, string code, string expectedCode, int expectedStatus)
    {
        await using var server = await ScriptedServer.StartAsync(c => Answer(c, status, code));
        using var store = StoreFor(server.Url);

        var get = await Assert.ThrowsAsync<StorageException>(() => store.GetObjectAsync("bucket", "key", ObjectReadRequest.Whole, CancellationToken.None));
        Assert.Equal(expectedCode, get.Error.Code);
        Assert.Equal(expectedStatus, get.Error.Status);
        if (expectedStatus >= 500)
        {
            // A GET is sent directly (DirectReads): the server's own answer is kept beneath.
            var answer = Assert.IsType<RemoteAnswerException>(get.InnerException);
            Assert.Equal((status, code), ((int)answer.Status, answer.Code));
        }
        if (expectedStatus >= 500) Assert.Contains(server.Url, get.Message);

        // HEAD answers carry no body: the status alone must not turn a 403 or 500 into NoSuchKey.
        var head = await Assert.ThrowsAsync<StorageException>(() => store.HeadObjectAsync("bucket", "key", ReadConditions.None, CancellationToken.None));
        Assert.Equal(expectedStatus, head.Error.Status);
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_is_503_naming_it()
    {
        string url;
        await using (var server = await ScriptedServer.StartAsync(c => Answer(c, 200, null)))
            url = server.Url;   // stopped: nothing listens there any more
        using var store = StoreFor(url);

        var e = await Assert.ThrowsAsync<StorageException>(() => store.HeadObjectAsync("bucket", "key", ReadConditions.None, CancellationToken.None));
        Assert.Equal(503, e.Error.Status);
        Assert.Equal("ServiceUnavailable", e.Error.Code);
        Assert.Contains(url, e.Message);
        await Assert.ThrowsAsync<StorageException>(() => store.CheckHealthAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_body_that_stalls_fails_the_read_instead_of_hanging()
    {
        await using var server = await ScriptedServer.StartAsync(async c =>
        {
            c.Response.ContentLength = 1000;
            c.Response.Headers.ETag = "\"0123456789abcdef0123456789abcdef\"";
            await c.Response.Body.WriteAsync(new byte[10]);
            await c.Response.Body.FlushAsync();
            await Task.Delay(TimeSpan.FromSeconds(30), c.RequestAborted);
        });
        using var store = StoreFor(server.Url, idle: TimeSpan.FromMilliseconds(500));

        await using var content = await store.GetObjectAsync("bucket", "key", ObjectReadRequest.Whole, CancellationToken.None);
        var started = DateTime.UtcNow;
        var e = await Assert.ThrowsAsync<IOException>(async () => await content.Body.CopyToAsync(Stream.Null));
        Assert.Contains("sent nothing", e.Message);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_body_that_differs_from_its_plain_ETag_fails_the_read(bool changedInTheLastByte)
    {
        var body = new byte[200_000];
        Random.Shared.NextBytes(body);
        var etag = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(body));
        body[changedInTheLastByte ? ^1 : 0] ^= 0xFF;
        await using var server = await ScriptedServer.StartAsync(async c =>
        {
            c.Response.ContentLength = body.Length;
            c.Response.Headers.ETag = $"\"{etag}\"";
            await c.Response.Body.WriteAsync(body);
        });
        using var store = StoreFor(server.Url);

        await using var content = await store.GetObjectAsync("bucket", "key", ObjectReadRequest.Whole, CancellationToken.None);
        var e = await Assert.ThrowsAsync<CorruptBodyException>(async () => await content.Body.CopyToAsync(Stream.Null));
        Assert.Contains("integrity check", e.Message);
    }
}
