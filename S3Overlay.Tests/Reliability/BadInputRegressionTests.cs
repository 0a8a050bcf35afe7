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
    /// A body shorter than its Content-Length, the connection left open: Kestrel gives up once
    /// it falls below the minimum body data rate (after a 5 s grace). That was a 500 once, then
    /// IncompleteBody; the full load run (256 clients on 2 cores) met it as stalled uploads. S3
    /// calls a stalled upload RequestTimeout, which S3 clients know to retry.
    /// </summary>
    [Fact]
    public async Task A_body_that_stops_short_of_its_Content_Length_is_RequestTimeout()
    {
        var put = await SendAsync(new RawRequest("PUT", "/bad-input/short") { Body = Encoding.UTF8.GetBytes("ab"), ContentLength = "5" });
        Assert.Equal(400, put.Status);
        Assert.Contains("<Code>RequestTimeout</Code>", Encoding.UTF8.GetString(put.Body));
    }
}
