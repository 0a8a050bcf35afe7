using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>What the authentication tests share: servers with a given clock or settings, and error assertions.</summary>
internal static class AuthHttp
{
    public static Task<ProxyServer> StartAsync(TimeProvider? clock = null, Dictionary<string, string?>? settings = null) =>
        ProxyServer.StartAsync(settings, builder =>
        {
            if (clock is not null) builder.Services.AddSingleton(clock);
        });

    /// <summary>Asserts an S3 XML error with this status and code; returns the body for further checks.</summary>
    public static async Task<XElement> AssertErrorAsync(HttpResponseMessage response, int status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"expected {status} {code}, got {(int)response.StatusCode}: {body}");
        var root = XDocument.Parse(body).Root!;
        Assert.Equal(code, root.Element("Code")?.Value);
        return root;
    }

    public static async Task PutBucketWithObjectAsync(ProxyServer proxy, string bucket, string key, byte[] body)
    {
        using var client = proxy.CreateClient(defaults: false);
        await client.PutBucketAsync(bucket);
        await client.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest
        {
            BucketName = bucket, Key = key, InputStream = new MemoryStream(body), UseChunkEncoding = false,
        });
    }
}
