using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3;

/// <summary>
/// A bucket's own CORS rules (Put/Get/DeleteBucketCors) matched as S3 matches them, on
/// unauthenticated preflights and on the real answers, against every store.
/// </summary>
public abstract class BucketCorsTests(StoreTargets target) : EveryStoreTests(target)
{
    private static readonly HttpClient Http = new();

    private HttpRequestMessage Preflight(string path, string origin, string method, string? headers = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, Target.Proxy.Url + path);
        request.Headers.TryAddWithoutValidation("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        if (headers is not null) request.Headers.Add("Access-Control-Request-Headers", headers);
        return request;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    private Task PutRulesAsync(string bucket, params CORSRule[] rules) =>
        Client.PutCORSConfigurationAsync(new PutCORSConfigurationRequest { BucketName = bucket, Configuration = new CORSConfiguration { Rules = rules.ToList() } });

    [Fact]
    public async Task Rules_are_stored_returned_and_deleted_with_NoSuchCORSConfiguration_when_there_are_none()
    {
        var bucket = await Target.NewBucketAsync();
        var none = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => Client.GetCORSConfigurationAsync(bucket));
        Assert.Equal(("NoSuchCORSConfiguration", HttpStatusCode.NotFound), (none.ErrorCode, none.StatusCode));

        await PutRulesAsync(bucket, new CORSRule
        {
            Id = "viewer", AllowedOrigins = ["https://*.example.com"], AllowedMethods = ["GET", "HEAD"],
            AllowedHeaders = ["x-amz-*", "range"], ExposeHeaders = ["ETag"], MaxAgeSeconds = 600,
        });
        var rule = Assert.Single((await Client.GetCORSConfigurationAsync(bucket)).Configuration.Rules);
        Assert.Equal(("viewer", 600), (rule.Id, rule.MaxAgeSeconds));
        Assert.Equal(["https://*.example.com"], rule.AllowedOrigins);
        Assert.Equal(["GET", "HEAD"], rule.AllowedMethods);
        Assert.Equal(["x-amz-*", "range"], rule.AllowedHeaders);
        Assert.Equal(["ETag"], rule.ExposeHeaders);

        var bad = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => PutRulesAsync(bucket, new CORSRule { AllowedOrigins = ["*"], AllowedMethods = ["PATCH"] }));
        Assert.Equal("InvalidRequest", bad.ErrorCode);

        await Client.DeleteCORSConfigurationAsync(bucket);
        var gone = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => Client.GetCORSConfigurationAsync(bucket));
        Assert.Equal("NoSuchCORSConfiguration", gone.ErrorCode);
    }

    /// <summary>A preflight to a bucket that does not exist is refused as S3 refuses it (ceph/s3-tests and boto3 see the same), saying why.</summary>
    [Fact]
    public async Task A_preflight_to_a_missing_bucket_is_refused_saying_it_is_not_found()
    {
        using var refused = await Http.SendAsync(Preflight($"/no-such-{Guid.NewGuid():N}/k.txt", "https://app.example.com", "GET"));
        var body = await refused.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("<Code>AccessForbidden</Code>", body);
        Assert.Contains("<Message>CORSResponse: Bucket not found</Message>", body);
        Assert.Null(Header(refused, "Access-Control-Allow-Origin"));
    }

    /// <summary>A wildcard pattern matches the Origin header's text, as S3 matches it (ceph/s3-tests' test_cors_origin_response).</summary>
    [Fact]
    public async Task An_origin_matches_a_wildcard_pattern_by_its_text()
    {
        var bucket = await Target.NewBucketAsync();
        await PutRulesAsync(bucket,
            new CORSRule { AllowedOrigins = ["*suffix"], AllowedMethods = ["GET"] },
            new CORSRule { AllowedOrigins = ["start*end"], AllowedMethods = ["GET"] },
            new CORSRule { AllowedOrigins = ["https://*.example.org"], AllowedMethods = ["GET"] });
        foreach (var origin in new[] { "foo.suffix", "suffix", "startend", "start12end", "https://a.example.org" })
        {
            using var allowed = await Http.SendAsync(Preflight($"/{bucket}/k.txt", origin, "GET"));
            Assert.Equal(origin, Header(allowed, "Access-Control-Allow-Origin"));
        }
        foreach (var origin in new[] { "foo.suffix.get", "0start12end", "startend0", "https://example.org", "http://a.example.org.evil" })
        {
            using var refused = await Http.SendAsync(Preflight($"/{bucket}/k.txt", origin, "GET"));
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Null(Header(refused, "Access-Control-Allow-Origin"));
        }
    }

    /// <summary>
    /// A request that is no preflight but names a method in Access-Control-Request-Method is
    /// matched by that method, as S3 does: an unsigned PUT naming GET gets the GET rule's headers
    /// with its 403, one naming nothing gets the rule of its own method.
    /// </summary>
    [Fact]
    public async Task A_request_naming_a_method_is_matched_by_the_method_it_names()
    {
        var bucket = await Target.NewBucketAsync();
        await PutRulesAsync(bucket,
            new CORSRule { AllowedOrigins = ["*suffix"], AllowedMethods = ["GET"] },
            new CORSRule { AllowedOrigins = ["*.put"], AllowedMethods = ["PUT"] });
        async Task<(HttpStatusCode, string?, string?)> PutAsync(string origin, string? named)
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, $"{Target.Proxy.Url}/{bucket}/bar") { Content = new ByteArrayContent([]) };
            request.Headers.TryAddWithoutValidation("Origin", origin);
            if (named is not null) request.Headers.Add("Access-Control-Request-Method", named);
            using var answer = await Http.SendAsync(request);
            return (answer.StatusCode, Header(answer, "Access-Control-Allow-Origin"), Header(answer, "Access-Control-Allow-Methods"));
        }
        Assert.Equal((HttpStatusCode.Forbidden, "foo.suffix", "GET"), await PutAsync("foo.suffix", "GET"));
        Assert.Equal((HttpStatusCode.Forbidden, null, null), await PutAsync("foo.suffix", "PUT"));
        Assert.Equal((HttpStatusCode.Forbidden, null, null), await PutAsync("foo.suffix", null));
        Assert.Equal((HttpStatusCode.Forbidden, "foo.put", "PUT"), await PutAsync("foo.put", null));
    }

    [Fact]
    public async Task Preflights_and_answers_follow_the_first_matching_rule()
    {
        var bucket = await Target.NewBucketAsync();
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k.txt", ContentBody = "cors", CannedACL = S3CannedACL.PublicRead });
        await PutRulesAsync(bucket,
            new CORSRule { AllowedOrigins = ["https://*.example.com"], AllowedMethods = ["GET", "PUT"], AllowedHeaders = ["x-amz-*", "content-type"], ExposeHeaders = ["ETag", "x-amz-request-id"], MaxAgeSeconds = 300 },
            new CORSRule { AllowedOrigins = ["*"], AllowedMethods = ["GET"] });

        using (var ok = await Http.SendAsync(Preflight($"/{bucket}/k.txt", "https://app.example.com", "PUT", "x-amz-date, Content-Type")))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("https://app.example.com", Header(ok, "Access-Control-Allow-Origin"));
            Assert.Equal("GET, PUT", Header(ok, "Access-Control-Allow-Methods"));
            Assert.Equal("300", Header(ok, "Access-Control-Max-Age"));
            Assert.Contains("x-amz-date", Header(ok, "Access-Control-Allow-Headers"));
        }
        // A header no rule allows, a method no rule allows for this origin, an origin outside the pattern: 403.
        foreach (var (origin, method, headers) in new[] { ("https://app.example.com", "PUT", "authorization"), ("https://other.org", "PUT", (string?)null), ("https://example.com.evil", "DELETE", null) })
        {
            using var refused = await Http.SendAsync(Preflight($"/{bucket}/k.txt", origin, method, headers));
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Null(Header(refused, "Access-Control-Allow-Origin"));
        }
        // The catch-all rule: any origin may GET, answered with *.
        using (var any = await Http.SendAsync(Preflight($"/{bucket}/k.txt", "https://other.org", "GET")))
            Assert.Equal("*", Header(any, "Access-Control-Allow-Origin"));

        // A real (anonymous, public-read) GET from a matching origin carries the rule's headers.
        using var get = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"{Target.Proxy.Url}/{bucket}/k.txt") { Headers = { { "Origin", "https://app.example.com" } } });
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("https://app.example.com", Header(get, "Access-Control-Allow-Origin"));
        Assert.Equal("ETag, x-amz-request-id", Header(get, "Access-Control-Expose-Headers"));
    }
}

[FunctionalTests]
public sealed class EmbeddedStoreBucketCorsTests(StoreTargets target) : BucketCorsTests(target)
{
    protected override StoreKind Kind => StoreKind.Embedded;
}

[FunctionalTests]
public sealed class S3LocalStoreBucketCorsTests(StoreTargets target) : BucketCorsTests(target)
{
    protected override StoreKind Kind => StoreKind.S3Local;
}

[FunctionalTests]
public sealed class OverlayBucketCorsTests(StoreTargets target) : BucketCorsTests(target)
{
    protected override StoreKind Kind => StoreKind.Overlay;
}

/// <summary>The same tests with Ceph's RADOS Gateway, a production S3 server, as the local store.</summary>
[FunctionalTests]
public sealed class RgwLocalStoreBucketCorsTests(StoreTargets target) : BucketCorsTests(target)
{
    protected override StoreKind Kind => StoreKind.RgwLocal;
}
