using System.Net.Sockets;

namespace S3Overlay.Storage.S3;

/// <summary>
/// Whether a request failed because nothing listens where it was sent (ECONNREFUSED): the server
/// said so at once, and asking again after a backoff only adds the backoff to the failure.
/// Every other network failure (a reset mid-answer, a timeout, a pooled connection the server had
/// closed) may go another way on the next try, and keeps its one retry.
/// </summary>
internal static class RefusedConnection
{
    public static bool In(Exception e) =>
        ExceptionChain.Of(e).Any(x => x is SocketException { SocketErrorCode: SocketError.ConnectionRefused });
}
