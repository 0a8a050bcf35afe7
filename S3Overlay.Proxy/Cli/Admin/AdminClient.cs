using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace S3Overlay.Cli.Admin;

/// <summary>
/// The admin verbs' one way to a running server: JSON over <c>/_overlay/</c> with HTTP Basic, the
/// same credentials as S3. No Origin header is sent, so the admin API's same-origin guard for
/// browsers does not apply.
/// </summary>
internal sealed class AdminClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _server;

    public AdminClient(string server, string accessKey, string secretKey)
    {
        _server = server.TrimEnd('/');
        _http = new HttpClient { BaseAddress = new Uri(_server + "/_overlay/"), Timeout = TimeSpan.FromSeconds(30) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{accessKey}:{secretKey}")));
    }

    /// <param name="path">Relative to <c>/_overlay/</c>: <c>status?format=json</c>, <c>api/cache/photos?prefix=a/</c>.</param>
    /// <exception cref="CliException">The server cannot be reached, or answers with an error (its message is passed on).</exception>
    public async Task<JsonElement> SendAsync(HttpMethod method, string path, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"cannot reach {_server}: {e.Message}", exitCode: 1);
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            JsonElement json;
            try { json = JsonDocument.Parse(text.Length == 0 ? "null" : text).RootElement.Clone(); }
            catch (JsonException) { throw new CliException($"{_server} answered {(int)response.StatusCode} with no JSON: is it an s3overlay server?", exitCode: 1); }
            if (response.IsSuccessStatusCode) return json;
            var message = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("error", out var error) ? error.GetString() : text;
            throw new CliException($"{(int)response.StatusCode}: {message}", exitCode: 1);
        }
    }

    public void Dispose() => _http.Dispose();
}
