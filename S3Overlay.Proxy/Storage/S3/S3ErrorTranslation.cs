using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Storage.S3;

/// <summary>
/// Turns what the SDK throws into the store's failure: the server's own
/// code where it describes the request (NoSuchKey, PreconditionFailed, ...); 502 for any other
/// answer (403, 5xx), since those are the store's trouble, not the client's; 503 when the server
/// cannot be reached. Never a 404 the server did not say. A store whose 5xx answers are outages
/// (<see cref="S3StoreOptions.ServerErrorsAreOutages"/>: the local store) answers 503 to those too.
/// Every failure of a store that is down names it in <see cref="StorageException.UnreachableStore"/>.
/// </summary>
internal static class S3ErrorTranslation
{
    /// <summary>The server's codes that describe the request: the same fault, with the server's message.</summary>
    private static readonly Dictionary<string, StorageFault> SameCode = new(StringComparer.Ordinal)
    {
        ["NoSuchUpload"] = StorageFault.UploadNotFound,
        ["PreconditionFailed"] = StorageFault.PreconditionFailed,
        ["NotModified"] = StorageFault.NotModified,
        ["BucketAlreadyOwnedByYou"] = StorageFault.BucketExists,
        ["BucketNotEmpty"] = StorageFault.BucketNotEmpty,
        ["InvalidPart"] = StorageFault.InvalidPart,
        ["InvalidPartOrder"] = StorageFault.InvalidPartOrder,
        ["EntityTooSmall"] = StorageFault.PartTooSmall,
        ["EntityTooLarge"] = StorageFault.TooLarge,
        ["BadDigest"] = StorageFault.DigestMismatch,
        ["InvalidDigest"] = StorageFault.InvalidDigest,
        ["IncompleteBody"] = StorageFault.IncompleteBody,
        ["KeyTooLongError"] = StorageFault.KeyTooLong,
        ["InvalidBucketName"] = StorageFault.InvalidBucketName,
        ["BucketAlreadyExists"] = StorageFault.BucketNameTaken,
        ["InvalidObjectName"] = StorageFault.InvalidKey,
        ["ConditionalRequestConflict"] = StorageFault.ConcurrentWrite,
    };

    public static Exception Translate(Exception e, S3StoreOptions store, string? bucket, string? key, bool timedOut)
    {
        if (e is StorageException) return e;
        if (ExceptionChain.Of(e).OfType<MisdirectedRequestException>().FirstOrDefault() is { } misdirected)
            return new StorageException(StorageFault.Internal, key ?? bucket, $"A request was not sent: {misdirected.Message}.", misdirected);
        if (timedOut && e is OperationCanceledException)
            return Unreachable(store, $"no answer within {store.RequestTimeout.TotalSeconds:0.#} s", e);
        if (e is RemoteAnswerException direct) return FromAnswer((int)direct.Status, direct.Code, direct.ServerMessage, () => direct.ActualObjectSize, direct, store, bucket, key);
        if (e is AmazonS3Exception { StatusCode: not 0 } answer)
            return FromAnswer((int)answer.StatusCode, answer.ErrorCode, answer.Message, () => ActualObjectSize(answer), answer, store, bucket, key);
        if (IsNetworkFailure(e)) return Unreachable(store, ExceptionChain.Of(e).Last().Message, e);
        if (e is AmazonServiceException { StatusCode: not 0 } service)
            return new StorageException(StorageFault.StoreFailed, bucket, $"The {store.Describe()} answered {(int)service.StatusCode} {service.ErrorCode}.", e);
        if (e is AmazonClientException or AmazonServiceException) return Unreachable(store, ExceptionChain.Of(e).Last().Message, e);
        // Anything else thrown inside an SDK call is the SDK failing to read the server's answer
        // (a half-written object's headers on a server that writes in place): the server's fault, 502.
        return new StorageException(StorageFault.StoreFailed, key ?? bucket, $"The {store.Describe()} sent an answer that could not be read: {e.Message}", e);
    }

    /// <param name="actualObjectSize">The size an InvalidRange answer gives, if it gives one.</param>
    private static Exception FromAnswer(int status, string? errorCode, string? message, Func<long?> actualObjectSize, Exception e,
        S3StoreOptions store, string? bucket, string? key)
    {
        switch (errorCode)
        {
            case "NoSuchKey": return StorageException.ObjectNotFound(key ?? "");
            case "NoSuchBucket": return StorageException.BucketNotFound(bucket ?? "");
            case "InvalidRange":
                return actualObjectSize() is { } size ? StorageException.RangeNotSatisfiable(size) : new StorageException(StorageFault.RangeNotSatisfiable, key, inner: e);
        }
        if (errorCode is { } code && SameCode.TryGetValue(code, out var known))
            return new StorageException(known, key ?? bucket, string.IsNullOrEmpty(message) ? null : message, e);
        // Answers without a body (HEAD) carry only their status.
        if (status == 404) return key is null ? StorageException.BucketNotFound(bucket ?? "") : StorageException.ObjectNotFound(key);
        if (status == 304) return new StorageException(StorageFault.NotModified, key, inner: e);
        if (status == 412) return new StorageException(StorageFault.PreconditionFailed, key, inner: e);
        if (status == 416) return new StorageException(StorageFault.RangeNotSatisfiable, key, inner: e);
        if (status == 503 || (store.ServerErrorsAreOutages && status is 500 or 502 or 504)) return Unreachable(store, $"it answered {status} {errorCode}", e);
        return new StorageException(StorageFault.StoreFailed, key ?? bucket, $"The {store.Describe()} answered {status} {errorCode}.", e);
    }

    /// <summary>The status the server answered a failed call with; null when the call failed without an answer.</summary>
    public static int? AnsweredStatus(Exception e) => e switch
    {
        RemoteAnswerException direct => (int)direct.Status,
        AmazonServiceException { StatusCode: not 0 } answer => (int)answer.StatusCode,
        _ => null,
    };

    public static StorageException Unreachable(S3StoreOptions store, string reason, Exception? inner) =>
        new(StorageFault.StoreUnreachable, message: $"The {store.Describe()} could not be reached: {reason}", inner: inner) { UnreachableStore = store.Name };

    private static bool IsNetworkFailure(Exception e) =>
        ExceptionChain.Of(e).Any(x => x is HttpRequestException or SocketException or IOException or TimeoutException or WebException);

    private static long? ActualObjectSize(AmazonS3Exception e)
    {
        var body = e.ResponseBody;
        if (string.IsNullOrEmpty(body)) return null;
        return ErrorDocument.Read(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body)), body.Length)?.ActualObjectSize;
    }
}
