using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>Calls the admin API of a proxy over HTTP as an operator's script would (curl with -u).</summary>
public sealed class AdminHttp(string proxyUrl, string? user = ProxyServer.AccessKey, string? password = ProxyServer.SecretKey) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri(proxyUrl + "/_overlay/api/") };

    public async Task<(HttpStatusCode Status, JsonElement Json)> SendAsync(HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, path);
        if (user is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(text.Length == 0 ? "null" : text);
        return (response.StatusCode, json.RootElement.Clone());
    }

    /// <summary>GET <c>cache/{bucket}?prefix=</c>, expecting 200.</summary>
    public async Task<JsonElement> ReportAsync(string bucket, string prefix = "")
    {
        var (status, json) = await SendAsync(HttpMethod.Get, $"cache/{bucket}?prefix={Uri.EscapeDataString(prefix)}");
        Assert.Equal(HttpStatusCode.OK, status);
        return json;
    }

    /// <summary>DELETE <c>cache/{bucket}?key=</c>, expecting 200; returns what was evicted.</summary>
    public async Task<JsonElement> EvictKeyAsync(string bucket, string key)
    {
        var (status, json) = await SendAsync(HttpMethod.Delete, $"cache/{bucket}?key={Uri.EscapeDataString(key)}");
        Assert.Equal(HttpStatusCode.OK, status);
        return json.GetProperty("evicted");
    }

    public void Dispose() => _http.Dispose();
}
