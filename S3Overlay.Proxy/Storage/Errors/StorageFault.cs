namespace S3Overlay.Storage.Errors;

/// <summary>
/// What went wrong, in a store's words. The S3 front end answers each with its S3 error
/// (S3/Errors/StorageErrors.cs: the one table), so a store never speaks the protocol.
/// </summary>
internal enum StorageFault
{
    // Not there.
    BucketNotFound,
    ObjectNotFound,
    VersionNotFound,
    UploadNotFound,
    LockConfigurationNotFound,
    RetentionNotFound,

    // A condition decided the answer.
    PreconditionFailed,
    NotModified,
    RangeNotSatisfiable,
    ConcurrentWrite,

    // The bucket's state.
    BucketExists,
    BucketNameTaken,
    BucketNotEmpty,
    WrongBucketState,

    // What was asked, or sent, cannot be done.
    InvalidBucketName,
    InvalidKey,
    KeyTooLong,
    IncompleteBody,
    DigestMismatch,
    InvalidDigest,
    PartTooSmall,
    TooLarge,
    InvalidPart,
    InvalidPartOrder,
    InvalidArgument,
    InvalidRequest,
    MalformedDocument,
    LengthRequired,
    InvalidRetentionPeriod,
    /// <summary>The version asked for by its id is a delete marker: there is nothing to read.</summary>
    DeleteMarkerVersion,
    AccessDenied,
    /// <summary>The encryption key the request names is not one the store has.</summary>
    EncryptionKeyNotFound,
    NotSupported,

    // The store itself.
    StoreFull,
    Busy,
    /// <summary>The store could not be reached, did not answer in time, or answered that it is down.</summary>
    StoreUnreachable,
    /// <summary>The store answered with an error that is its trouble, not the request's.</summary>
    StoreFailed,
    /// <summary>The source object changed while it was being read.</summary>
    SourceChanged,
    /// <summary>Not able to take the request now (shutting down).</summary>
    Unavailable,
    Internal,
}
