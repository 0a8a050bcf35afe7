using S3Overlay.Storage.Errors;
using static S3Overlay.Telemetry.OverlayTelemetry;

namespace S3Overlay.Overlay.Remote;

/// <summary>
/// What a client sees when the remote fails. Only a genuine remote "not found" is a 404; a
/// remote that refuses us (403), breaks (5xx) or cannot be reached is a gateway error, never a
/// fake 404 (the original turned all of them into 404s).
/// </summary>
internal static class RemoteErrors
{
    public static Exception Map(Exception error, string localBucket, string key) => error switch
    {
        StorageException { IsMissing: true } => StorageException.ObjectNotFound(key),
        // The answers to the request's own conditions and range are the client's to see.
        StorageException { IsConditionAnswer: true } => error,
        // The remote store already says what went wrong as a gateway error.
        StorageException { Fault: StorageFault.StoreFailed or StorageFault.SourceChanged or StorageFault.StoreUnreachable or StorageFault.Busy or StorageFault.Unavailable } => error,
        StorageException e => Gateway(StorageFault.StoreFailed, $"The remote store answered {e.Fault}.", localBucket, key, e),
        OperationCanceledException or TimeoutException => Gateway(StorageFault.StoreUnreachable, "The remote store did not answer in time.", localBucket, key, error),
        _ => Gateway(StorageFault.StoreUnreachable, null, localBucket, key, error),
    };

    /// <summary>
    /// What kind of failure <paramref name="error"/> is (<see cref="RemoteErrorTypes"/>); null for
    /// the answers the remote may give to a sound request: not found, a condition, a range.
    /// </summary>
    public static string? TypeOf(Exception error) => error switch
    {
        StorageException { IsMissing: true } or StorageException { IsConditionAnswer: true } => null,
        StorageException { UnreachableStore: null, Fault: not (StorageFault.StoreUnreachable or StorageFault.Busy or StorageFault.Unavailable) } => RemoteErrorTypes.ErrorAnswer,
        _ => RemoteErrorTypes.Unreachable,
    };

    public static bool IsNotFound(Exception error) => error is StorageException { IsMissing: true };

    /// <summary>Whether the remote could not give an answer at all (rather than answering "no").</summary>
    public static bool IsUnavailable(Exception mapped) => mapped is StorageException { IsStoreSide: true };

    private static StorageException Gateway(StorageFault fault, string? message, string bucket, string key, Exception inner) =>
        new StorageException(fault, $"/{bucket}/{key}", message, inner).With("Key", key);
}
