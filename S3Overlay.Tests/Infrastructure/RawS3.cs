using System.Xml.Linq;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// Raw HTTP requests to the proxy, for what an SDK will not send: bad names, traversal attempts,
/// malformed XML, virtual-host requests. The request target goes out exactly as written
/// (no dot-segment removal, no re-encoding). Every raw test request passes through
/// <see cref="SendAsync"/>, the one place where it can be signed.
/// </summary>
public static class RawS3
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        ResponseHeaderEncodingSelector = (_, _) => System.Text.Encoding.UTF8,
    });

    /// <param name="pathAndQuery">The request target as sent, e.g. <c>/bucket/%2e%2e/x?acl</c>.</param>
    public static async Task<HttpResponseMessage> SendAsync(
        ProxyServer proxy, HttpMethod method, string pathAndQuery, HttpContent? content = null, Action<HttpRequestMessage>? configure = null)
    {
        var uri = new Uri(proxy.Url + pathAndQuery, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        var request = new HttpRequestMessage(method, uri) { Content = content };
        configure?.Invoke(request);
        await RequestSigner.SignAsync(request);
        return await Http.SendAsync(request);
    }

    public static Task<HttpResponseMessage> SendAsync(ProxyServer proxy, HttpMethod method, string pathAndQuery, string body, Action<HttpRequestMessage>? configure = null) =>
        SendAsync(proxy, method, pathAndQuery, new StringContent(body), configure);

    /// <summary>The parsed XML body of a response (an S3 answer or error).</summary>
    public static async Task<XElement> XmlAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return XDocument.Parse(text).Root!;
    }

    /// <summary>The <c>Code</c> of an S3 XML error body.</summary>
    public static async Task<string?> ErrorCodeAsync(HttpResponseMessage response)
    {
        var root = await XmlAsync(response);
        Assert.Equal("Error", root.Name.LocalName);
        return root.Element("Code")?.Value;
    }

    /// <summary>Asserts the response is the S3 error with this status and code.</summary>
    public static async Task AssertErrorAsync(HttpResponseMessage response, int status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"expected {status} {code}, got {(int)response.StatusCode}: {body}");
        Assert.Equal(code, XDocument.Parse(body).Root!.Element("Code")?.Value);
        Assert.True(response.Headers.Contains("x-amz-request-id"));
    }

    /// <summary>Elements by local name, whatever their namespace (answers are in S3's namespace).</summary>
    public static IEnumerable<XElement> All(this XElement root, string name) =>
        root.Descendants().Where(e => e.Name.LocalName == name);

    public static string? First(this XElement root, string name) => root.All(name).FirstOrDefault()?.Value;
}
