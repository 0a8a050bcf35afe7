using System.Text;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Reliability.Fuzz;

namespace S3Overlay.Tests.Reliability;

/// <summary>The cases the bad-input run found, kept one by one: each was a 500 or a broken answer.</summary>
[ReliabilityTests]
public sealed class BadInputRegressionTests : IAsyncLifetime
{
    private ProxyServer _proxy = null!;
    private int Port => new Uri(_proxy.Url).Port;

    public async ValueTask InitializeAsync()
    {
        _proxy = await ProxyServer.StartAsync();
        using var client = _proxy.CreateClient();
        await client.PutBucketAsync("bad-input");
        await client.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = "bad-input", Key = "known", ContentBody = "known body" });
    }

    public ValueTask DisposeAsync() => _proxy.DisposeAsync();

    private async Task<RawResponse> SendAsync(RawRequest request)
    {
        var response = await request.SendAsync(Port, TestContext.Current.CancellationToken);
        Assert.Null(S3Answer.Problem(request, response));
        return response!;
    }

    [Theory]
    [InlineData("x-amz-meta-a", "\u0001")]
    [InlineData("Content-Disposition", "attachment\u0002")]
    public async Task Metadata_with_a_control_character_is_refused_and_the_object_stays_readable(string header, string value)
    {
        var put = await SendAsync(new RawRequest("PUT", "/bad-input/known") { Body = Encoding.UTF8.GetBytes("new") }.Header(header, value));
        Assert.Equal(400, put.Status);
        Assert.Contains("<Code>InvalidArgument</Code>", Encoding.UTF8.GetString(put.Body));

        var get = await SendAsync(new RawRequest("GET", "/bad-input/known"));
        Assert.Equal(200, get.Status);
        Assert.Equal("known body", Encoding.UTF8.GetString(get.Body));
    }

    [Fact]
    public async Task A_response_override_with_a_control_character_is_refused()
    {
        var get = await SendAsync(new RawRequest("GET", "/bad-input/known?response-content-type=%01"));
        Assert.Equal(400, get.Status);
    }

    [Theory]
    [InlineData("DELETE", "/bad-input/other?uploadId=%00")]
    [InlineData("GET", "/bad-input/%01%1f")]
    [InlineData("POST", "/%1f..%2Fa?uploads")]
    public async Task An_error_naming_a_control_character_is_well_formed_XML(string method, string target)
    {
        var answer = await SendAsync(new RawRequest(method, target));
        Assert.InRange(answer.Status, 400, 499);
    }

    /// <summary>
    /// A body that pauses (its client's thread starved on busy cores) is still taken within
    /// S3_OVERLAY_RECEIVE_TIMEOUT: Kestrel's own 5 s grace once answered a DeleteObjects
    /// RequestTimeout on two saturated cores. A body that stops short of its Content-Length, the
    /// connection left open, is RequestTimeout past it (it was a 500 once, then IncompleteBody; the
    /// full load run met it as stalled uploads): S3's answer to a stalled upload, which clients retry.
    /// </summary>
    [Theory]
    [InlineData(null, 200)]
    [InlineData("2", 400)]
    public async Task A_body_that_pauses_is_taken_unless_it_stalls_past_the_receive_timeout(string? receiveTimeout, int status)
    {
        await using var proxy = await ProxyServer.StartAsync(new Dictionary<string, string?> { ["S3_OVERLAY_RECEIVE_TIMEOUT"] = receiveTimeout });
        using var client = proxy.CreateClient();
        await client.PutBucketAsync("paused");
        var port = new Uri(proxy.Url).Port;

        // Past Kestrel's default 5 s grace and its 1 s heartbeat.
        var put = await new RawRequest("PUT", "/paused/key") { Body = Encoding.UTF8.GetBytes("abcde"), Pause = (2, TimeSpan.FromSeconds(7)) }
            .SendAsync(port, TestContext.Current.CancellationToken);
        Assert.Equal(status, put!.Status);
        var get = await new RawRequest("GET", "/paused/key").SendAsync(port, TestContext.Current.CancellationToken);
        if (status == 200)
            Assert.Equal("abcde", Encoding.UTF8.GetString(get!.Body));
        else
        {
            Assert.Contains("<Code>RequestTimeout</Code>", Encoding.UTF8.GetString(put.Body));
            Assert.Equal(404, get!.Status);
        }
    }
}
