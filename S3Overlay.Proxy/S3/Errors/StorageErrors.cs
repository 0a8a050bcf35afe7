using S3Overlay.Storage.Errors;

namespace S3Overlay.S3.Errors;

/// <summary>
/// Stores fail in their own words (<see cref="StorageException"/>); this is where those become S3
/// errors, once, at the edge (as MinIO's toAPIErrorCode): the S3 code and status of each fault,
/// the store's own message where it gave one, and what the answer must carry. Only the places that
/// write an answer call it (S3Endpoint, DeleteObjects' per-key entries, the browser's pages:
/// S3Overlay.Tests/Architecture/ErrorEdgeTests): everything before them decides by the
/// <see cref="StorageFault"/>, so a handler never branches on what a fault will be called.
/// </summary>
internal static class StorageErrors
{
    private static readonly Dictionary<StorageFault, S3Error> Table = new()
    {
        [StorageFault.BucketNotFound] = S3Error.NoSuchBucket,
        [StorageFault.ObjectNotFound] = S3Error.NoSuchKey,
        [StorageFault.VersionNotFound] = S3Error.NoSuchVersion,
        [StorageFault.UploadNotFound] = S3Error.NoSuchUpload,
        [StorageFault.LockConfigurationNotFound] = S3Error.ObjectLockConfigurationNotFound,
        [StorageFault.RetentionNotFound] = S3Error.NoSuchObjectLockConfiguration,
        [StorageFault.PreconditionFailed] = S3Error.PreconditionFailed,
        [StorageFault.NotModified] = S3Error.NotModified,
        [StorageFault.RangeNotSatisfiable] = S3Error.InvalidRange,
        [StorageFault.ConcurrentWrite] = S3Error.ConditionalRequestConflict,
        [StorageFault.BucketExists] = S3Error.BucketAlreadyOwnedByYou,
        [StorageFault.BucketNameTaken] = S3Error.BucketAlreadyExists,
        [StorageFault.BucketNotEmpty] = S3Error.BucketNotEmpty,
        [StorageFault.WrongBucketState] = S3Error.InvalidBucketState,
        [StorageFault.InvalidBucketName] = S3Error.InvalidBucketName,
        [StorageFault.InvalidKey] = S3Error.InvalidObjectName,
        [StorageFault.KeyTooLong] = S3Error.KeyTooLongError,
        [StorageFault.IncompleteBody] = S3Error.IncompleteBody,
        [StorageFault.DigestMismatch] = S3Error.BadDigest,
        [StorageFault.InvalidDigest] = S3Error.InvalidDigest,
        [StorageFault.PartTooSmall] = S3Error.EntityTooSmall,
        [StorageFault.TooLarge] = S3Error.EntityTooLarge,
        [StorageFault.InvalidPart] = S3Error.InvalidPart,
        [StorageFault.InvalidPartOrder] = S3Error.InvalidPartOrder,
        [StorageFault.InvalidArgument] = S3Error.InvalidArgument,
        [StorageFault.InvalidRequest] = S3Error.InvalidRequest,
        [StorageFault.MalformedDocument] = S3Error.MalformedXML,
        [StorageFault.LengthRequired] = S3Error.MissingContentLength,
        [StorageFault.InvalidRetentionPeriod] = S3Error.InvalidRetentionPeriod,
        [StorageFault.DeleteMarkerVersion] = S3Error.MethodNotAllowed,
        [StorageFault.AccessDenied] = S3Error.AccessDenied,
        [StorageFault.EncryptionKeyNotFound] = new("KMS.NotFoundException", 400, "The key the request names does not exist."),
        [StorageFault.NotSupported] = S3Error.NotImplemented,
        [StorageFault.StoreFull] = S3Error.StorageFull,
        [StorageFault.Busy] = S3Error.SlowDown,
        [StorageFault.StoreUnreachable] = S3Error.RemoteUnavailable,
        [StorageFault.StoreFailed] = S3Error.RemoteError,
        [StorageFault.SourceChanged] = S3Error.RemoteError,
        [StorageFault.Unavailable] = S3Error.ServiceUnavailable,
        [StorageFault.Internal] = S3Error.InternalError,
    };

    /// <summary>The S3 error a fault is answered with (the store's message aside).</summary>
    public static S3Error Of(StorageFault fault) => Table[fault];

    /// <summary>The S3 error of a store's failure.</summary>
    public static S3Exception ToS3(StorageException e)
    {
        var error = Of(e.Fault);
        var s3 = new S3Exception(e.Detail is null ? error : error.WithMessage(e.Detail), e.Resource, e);
        foreach (var (name, value) in e.Details) s3.Details[name] = value;
        foreach (var (name, value) in e.Headers) s3.Headers[name] = value;
        return s3;
    }

    /// <summary>The S3 error a failure is answered with, if it is one: an S3 error as it is, a store's mapped; null for anything else.</summary>
    public static S3Exception? AsS3(Exception e) => e switch
    {
        S3Exception s3 => s3,
        StorageException storage => ToS3(storage),
        _ => null,
    };
}
