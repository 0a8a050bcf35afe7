using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;
using S3Overlay.S3.Cors;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3;

/// <summary>
/// A bucket's CORS rules are read from the store once, not on every request with an Origin:
/// counted at a relay in front of the S3 local store. Changing, deleting or re-creating forgets
/// them at once; otherwise they are read again after <see cref="BucketCorsRules.Lifetime"/>.
/// </summary>
[FunctionalTests]
public sealed class BucketCorsCacheTests : IAsyncLifetime
{
    private static readonly HttpClient Http = new();
    private readonly ManualClock _clock = new(DateTimeOffset.UtcNow);
    private S3rverProcess _s3rver = null!;
    private CountingRelay _relay = null!;
    private ProxyServer _proxy = null!;
    private AmazonS3Client _client = null!;

    public async ValueTask InitializeAsync()
    {
        _s3rver = await SharedS3rver.Local.GetAsync();
        _relay = await CountingRelay.StartAsync(_s3rver.Url);
        _proxy = await ProxyServer.StartAsync(S3rverProcess.UserAt(_relay.Url).AsLocalStore(), builder => builder.Services.AddSingleton<TimeProvider>(_clock));
        _client = _proxy.CreateClient(defaults: false);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _proxy.DisposeAsync();
        await _relay.DisposeAsync();
    }

    private async Task<string?> AllowedOriginAsync(string bucket, string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, $"{_proxy.Url}/{bucket}/page.html");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "GET");
        using var response = await Http.SendAsync(request);
        return response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null;
    }

    private Task AllowAsync(string bucket, string origin) =>
        _client.PutCORSConfigurationAsync(new PutCORSConfigurationRequest
        {
            BucketName = bucket,
            Configuration = new CORSConfiguration { Rules = [new CORSRule { AllowedOrigins = [origin], AllowedMethods = ["GET"] }] },
        });

    [Fact]
    public async Task Rules_are_read_once_and_forgotten_when_changed_deleted_or_expired()
    {
        var bucket = "cors-cache-" + Guid.NewGuid().ToString("N")[..8]; // the run's shared s3rver: a bucket of its own
        await _client.PutBucketAsync(bucket);
        await AllowAsync(bucket, "https://app.example");
        Assert.Equal("https://app.example", await AllowedOriginAsync(bucket, "https://app.example"));

        _relay.ResetCounts();
        for (var i = 0; i < 5; i++) Assert.Equal("https://app.example", await AllowedOriginAsync(bucket, "https://app.example"));
        Assert.Equal(0, _relay.TotalRequests);

        await AllowAsync(bucket, "https://other.example");
        Assert.Null(await AllowedOriginAsync(bucket, "https://app.example"));
        Assert.Equal("https://other.example", await AllowedOriginAsync(bucket, "https://other.example"));

        // Another replica's change is seen once the remembered rules expire.
        await using (var replica = await ProxyServer.StartAsync(_s3rver.User.AsLocalStore()))
        using (var replicaClient = replica.CreateClient(defaults: false))
            await replicaClient.PutCORSConfigurationAsync(new PutCORSConfigurationRequest
            {
                BucketName = bucket,
                Configuration = new CORSConfiguration { Rules = [new CORSRule { AllowedOrigins = ["https://replica.example"], AllowedMethods = ["GET"] }] },
            });
        Assert.Equal("https://other.example", await AllowedOriginAsync(bucket, "https://other.example"));
        _clock.Advance(BucketCorsRules.Lifetime + TimeSpan.FromSeconds(1));
        Assert.Null(await AllowedOriginAsync(bucket, "https://other.example"));
        Assert.Equal("https://replica.example", await AllowedOriginAsync(bucket, "https://replica.example"));

        await _client.DeleteCORSConfigurationAsync(bucket);
        Assert.Null(await AllowedOriginAsync(bucket, "https://other.example"));

        await AllowAsync(bucket, "https://third.example");
        Assert.Equal("https://third.example", await AllowedOriginAsync(bucket, "https://third.example"));
        await _client.DeleteBucketAsync(bucket);
        await _client.PutBucketAsync(bucket);
        Assert.Null(await AllowedOriginAsync(bucket, "https://third.example"));
    }
}
