using Microsoft.AspNetCore.Http;

namespace S3Overlay.S3.Http;

/// <summary>
/// The body of an upload refused before it was read, when its client sends it all the same.
/// A client that asked for <c>100 Continue</c> and hears a refusal instead sends nothing, and the
/// refusal closes its connection (<see cref="Errors.S3ErrorWriter"/>). One whose wait for
/// <c>100 Continue</c> ran out first (Go's net/http after its ExpectContinueTimeout, which a loaded
/// server's answer can outlast) is already sending it. Left to Kestrel, an unread body is drained
/// for five seconds at most (not configurable) and then the connection is reset: a client still
/// writing gets the reset on its write, and Go's transport then closes the connection under the
/// refusal it was reading: the way, once under load, a Go PutObject to a missing bucket could not
/// read the 404's body (measured here: a raw client sending 8 MiB at 1 MiB/s after the refusal had
/// its write reset after 6 MiB, 8.3 s in).
/// So the body is read here, to its end, once the refusal is out: the close that follows is a
/// clean one. Kestrel's minimum data rate still ends a client that sends too slowly.
/// </summary>
internal static class RefusedUploadBody
{
    /// <summary>How long a refused upload's first bytes are waited for once the refusal is out.</summary>
    private static readonly TimeSpan FirstBytesWait = TimeSpan.FromSeconds(2);

    public static async Task DrainIfSentAsync(HttpContext context)
    {
        try
        {
            // The refusal goes out whole first; with the answer started, reading the body no longer invites it.
            await context.Response.CompleteAsync();
            var body = context.Request.BodyReader;
            // Reads end by CancelPendingRead (a result marked cancelled), never by a token: a read
            // whose token fires throws and leaves Kestrel's body reader in the middle of a read,
            // and Kestrel's own drain after the request then fails and logs an error.
            using var aborted = context.RequestAborted.Register(body.CancelPendingRead);
            if (!body.TryRead(out var read))
            {
                // Nothing here yet. A client that waits, as it should, sends nothing and closes on
                // the refusal; one whose wait ran out may be about to send (on a loaded machine its
                // first bytes come late): it is given FirstBytesWait to begin.
                using var wait = new Timer(_ => body.CancelPendingRead(), null, FirstBytesWait, Timeout.InfiniteTimeSpan);
                read = await body.ReadAsync();
            }
            while (true)
            {
                body.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted || read.IsCanceled) return;
                read = await body.ReadAsync();
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or BadHttpRequestException)
        {
            // The client went away or sent too slowly: the refusal is out; Kestrel ends the connection.
        }
    }
}
