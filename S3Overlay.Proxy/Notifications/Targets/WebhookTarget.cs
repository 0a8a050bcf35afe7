using System.Net.Http.Headers;
using System.Text;
using S3Overlay.Notifications.Outbox;

namespace S3Overlay.Notifications.Targets;

/// <summary>
/// MinIO's webhook target: each event POSTed as JSON to the endpoint (HTTP or HTTPS), with the
/// token as a bearer credential when one is set. Any 2xx answer is a delivery; anything else, or
/// no answer, is retried.
/// </summary>
internal sealed class WebhookTarget(string arn, Uri endpoint, string? authToken, HttpMessageHandler handler) : INotificationTarget
{
    private readonly HttpClient _http = new(handler) { Timeout = TimeSpan.FromSeconds(30) };

    public string Arn => arn;

    /// <summary>A POST per event, each of its own connection from the pool.</summary>
    public int InFlight => 16;

    public async Task SendAsync(OutboxEvent e, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new StringContent(e.Body, Encoding.UTF8, "application/json"),
        };
        // As MinIO: a token with a space in it is a whole Authorization value ("Basic …"), else a bearer token.
        if (!string.IsNullOrEmpty(authToken))
            request.Headers.TryAddWithoutValidation("Authorization", authToken.Contains(' ', StringComparison.Ordinal) ? authToken : "Bearer " + authToken);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"the webhook answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
