using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Xml;

namespace S3Overlay.Storage.S3;

/// <summary>
/// Turns what the SDK throws into the S3 error the front end answers with: the server's own
/// code where it describes the request (NoSuchKey, PreconditionFailed, ...); 502 for any other
/// answer (403, 5xx), since those are the store's trouble, not the client's; 503 when the server
/// cannot be reached. Never a 404 the server did not say. A store whose 5xx answers are outages
/// (<see cref="S3StoreOptions.ServerErrorsAreOutages"/>: the local store) answers 503 to those too.
/// Every failure of a store that is down names it in <see cref="S3Exception.UnreachableStore"/>.
/// </summary>
internal static class S3ErrorTranslation
{
    private static readonly Dictionary<string, S3Error> SameCode = new[]
    {
        S3Error.NoSuchUpload, S3Error.PreconditionFailed, S3Error.NotModified, S3Error.BucketAlreadyOwnedByYou,
        S3Error.BucketNotEmpty, S3Error.InvalidPart, S3Error.InvalidPartOrder, S3Error.EntityTooSmall, S3Error.EntityTooLarge,
        S3Error.BadDigest, S3Error.InvalidDigest, S3Error.IncompleteBody, S3Error.KeyTooLongError, S3Error.InvalidBucketName,
        S3Error.BucketAlreadyExists, S3Error.InvalidObjectName, S3Error.ConditionalRequestConflict,
    }.ToDictionary(e => e.Code, StringComparer.Ordinal);

    public static Exception Translate(Exception e, S3StoreOptions store, string? bucket, string? key, bool timedOut)
    {
        if (e is S3Exception) return e;
        if (ExceptionChain.Of(e).OfType<MisdirectedRequestException>().FirstOrDefault() is { } misdirected)
            return new S3Exception(S3Error.InternalError.WithMessage($"A request was not sent: {misdirected.Message}."), key ?? bucket, misdirected);
        if (timedOut && e is OperationCanceledException)
            return Unreachable(store, $"no answer within {store.RequestTimeout.TotalSeconds:0.#} s", e);
        if (e is RemoteAnswerException direct) return FromAnswer((int)direct.Status, direct.Code, direct.ServerMessage, () => direct.ActualObjectSize, direct, store, bucket, key);
        if (e is AmazonS3Exception { StatusCode: not 0 } answer)
            return FromAnswer((int)answer.StatusCode, answer.ErrorCode, answer.Message, () => ActualObjectSize(answer), answer, store, bucket, key);
        if (IsNetworkFailure(e)) return Unreachable(store, ExceptionChain.Of(e).Last().Message, e);
        if (e is AmazonServiceException { StatusCode: not 0 } service)
            return new S3Exception(S3Error.RemoteError.WithMessage($"The {store.Describe()} answered {(int)service.StatusCode} {service.ErrorCode}."), bucket, e);
        if (e is AmazonClientException or AmazonServiceException) return Unreachable(store, ExceptionChain.Of(e).Last().Message, e);
        // Anything else thrown inside an SDK call is the SDK failing to read the server's answer
        // (a half-written object's headers on a server that writes in place): the server's fault, 502.
        return new S3Exception(S3Error.RemoteError.WithMessage($"The {store.Describe()} sent an answer that could not be read: {e.Message}"), key ?? bucket, e);
    }

    /// <param name="actualObjectSize">The size an InvalidRange answer gives, if it gives one.</param>
    private static Exception FromAnswer(int status, string? errorCode, string? message, Func<long?> actualObjectSize, Exception e,
        S3StoreOptions store, string? bucket, string? key)
    {
        switch (errorCode)
        {
            case "NoSuchKey": return S3Exception.NoSuchKey(key ?? "");
            case "NoSuchBucket": return S3Exception.NoSuchBucket(bucket ?? "");
            case "InvalidRange":
                return actualObjectSize() is { } size ? S3Exception.InvalidRange(size) : new S3Exception(S3Error.InvalidRange, key, e);
        }
        if (errorCode is { } code && SameCode.TryGetValue(code, out var known))
            return new S3Exception(known.WithMessage(string.IsNullOrEmpty(message) ? known.Message : message), key ?? bucket, e);
        // Answers without a body (HEAD) carry only their status.
        if (status == 404) return key is null ? S3Exception.NoSuchBucket(bucket ?? "") : S3Exception.NoSuchKey(key);
        if (status == 304) return new S3Exception(S3Error.NotModified, key, e);
        if (status == 412) return new S3Exception(S3Error.PreconditionFailed, key, e);
        if (status == 416) return new S3Exception(S3Error.InvalidRange, key, e);
        if (status == 503 || (store.ServerErrorsAreOutages && status is 500 or 502 or 504)) return Unreachable(store, $"it answered {status} {errorCode}", e);
        return new S3Exception(S3Error.RemoteError.WithMessage($"The {store.Describe()} answered {status} {errorCode}."), key ?? bucket, e);
    }

    public static S3Exception Unreachable(S3StoreOptions store, string reason, Exception? inner) =>
        new(S3Error.RemoteUnavailable.WithMessage($"The {store.Describe()} could not be reached: {reason}"), null, inner) { UnreachableStore = store.Name };

    private static bool IsNetworkFailure(Exception e) =>
        ExceptionChain.Of(e).Any(x => x is HttpRequestException or SocketException or IOException or TimeoutException or WebException);

    private static long? ActualObjectSize(AmazonS3Exception e)
    {
        try
        {
            var body = e.ResponseBody;
            if (string.IsNullOrEmpty(body)) return null;
            var value = SafeXml.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body)), body.Length).Element("ActualObjectSize")?.Value;
            return long.TryParse(value, out var size) ? size : null;
        }
        catch (S3Exception)
        {
            return null; // not an error document
        }
    }
}
