using Microsoft.Extensions.Logging;
using S3Overlay.Overlay.Fleet;

namespace S3Overlay.Overlay.Events;

/// <summary>
/// In a fleet, passes a delivery of events this replica took on to every other live replica
/// (<c>POST /_overlay/events</c> with the token, marked as from a peer so it goes no further), and
/// waits for them: what an event changes in the shared local store holds for all already, and this
/// makes what each replica keeps in memory hold too (the remote's "no such key" it remembers, the
/// order of the key's events, a fill of the old object under way there). A replica that does not
/// answer within the fleet's peer timeout is skipped: the next start's reconcile covers it.
/// </summary>
internal sealed class EventPeers(FleetRouting fleet, RemoteEventSettings settings, ILogger<EventPeers> logger)
{
    /// <summary>Marks a delivery a peer passed on: applied, never passed on again.</summary>
    public const string FromPeerHeader = "x-s3overlay-event-from-peer";

    private readonly HttpClient _http = new() { Timeout = fleet.Peers.Settings.Timeout };

    public async Task PassOnAsync(ReadOnlyMemory<byte> delivery, CancellationToken ct)
    {
        if (settings.Token is not { } token) return;
        await Task.WhenAll(fleet.Peers.All.Where(p => !p.IsSelf && !p.IsDown).Select(p => SendAsync(p, delivery, token, ct)));
    }

    private async Task SendAsync(Peer peer, ReadOnlyMemory<byte> delivery, string token, CancellationToken ct)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(peer.Url, RemoteEventInbox.Path)) { Content = new ReadOnlyMemoryContent(delivery) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            request.Headers.Add(FromPeerHeader, "1");
            using var answer = await _http.SendAsync(request, ct);
            if (!answer.IsSuccessStatusCode) logger.LogWarning("The replica {Peer} answered {Status} to events passed on to it", peer.Url, (int)answer.StatusCode);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogWarning("The replica {Peer} did not take events passed on to it ({Reason}): its next start's reconcile covers them", peer.Url, e.Message);
        }
    }
}
