using S3Overlay.S3.Errors;
using static S3Overlay.Telemetry.OverlayTelemetry;

namespace S3Overlay.Overlay.Remote;

/// <summary>
/// What a client sees when the remote fails. Only a genuine remote "not found" is a 404; a
/// remote that refuses us (403), breaks (5xx) or cannot be reached is a gateway error, never a
/// fake 404 (the original turned all of them into 404s).
/// </summary>
public static class RemoteErrors
{
    public static Exception Map(Exception error, string localBucket, string key) => error switch
    {
        S3Exception { Error.Status: 404 } => S3Exception.NoSuchKey(key),
        // The answers to the request's own conditions and range are the client's to see.
        S3Exception { Error.Status: 304 or 412 or 416 } => error,
        // The remote store already says what went wrong as a gateway error.
        S3Exception { Error.Status: 502 or 503 } => error,
        S3Exception e => Gateway(S3Error.RemoteError.WithMessage($"The remote store answered {e.Error.Status} {e.Error.Code}."), localBucket, key, e),
        OperationCanceledException or TimeoutException => Gateway(S3Error.RemoteUnavailable.WithMessage("The remote store did not answer in time."), localBucket, key, error),
        _ => Gateway(S3Error.RemoteUnavailable, localBucket, key, error),
    };

    /// <summary>
    /// What kind of failure <paramref name="error"/> is (<see cref="RemoteErrorTypes"/>); null for
    /// the answers the remote may give to a sound request: not found, a condition, a range.
    /// </summary>
    public static string? TypeOf(Exception error) => error switch
    {
        S3Exception { Error.Status: 304 or 404 or 412 or 416 } => null,
        S3Exception { UnreachableStore: null, Error.Status: not 503 } => RemoteErrorTypes.ErrorAnswer,
        _ => RemoteErrorTypes.Unreachable,
    };

    public static bool IsNotFound(Exception error) => error is S3Exception { Error.Status: 404 };

    /// <summary>Whether the remote could not give an answer at all (rather than answering "no").</summary>
    public static bool IsUnavailable(Exception mapped) => mapped is S3Exception { Error.Status: >= 500 };

    private static S3Exception Gateway(S3Error error, string bucket, string key, Exception inner) =>
        new S3Exception(error, $"/{bucket}/{key}", inner).With("Key", key);
}
