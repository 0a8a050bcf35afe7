using System.Globalization;

namespace S3Overlay.Storage.Errors;

/// <summary>
/// A store's failure: what went wrong (<see cref="Fault"/>) and what the answer about it must say.
/// Stores, and the layers of the seam, throw it; the S3 front end turns it into its S3 error at the
/// edge (S3/Errors/StorageErrors.cs).
/// </summary>
internal sealed class StorageException(StorageFault fault, string? resource = null, string? message = null, Exception? inner = null)
    : Exception(message ?? fault.ToString(), inner)
{
    public StorageFault Fault { get; } = fault;

    /// <summary>A message more specific than the fault's own words, or null for those.</summary>
    public string? Detail { get; } = message;

    /// <summary>The bucket or key the error is about.</summary>
    public string? Resource { get; } = resource;

    /// <summary>
    /// The store (its name, "local store" or "remote store") that failed this request by being
    /// down: it could not be reached, did not answer in time, or answered 5xx. Null for every
    /// other error, answers about the request included. The overlay goes on without a local
    /// store that is down where it safely can (Overlay/LostLocal/).
    /// </summary>
    public string? UnreachableStore { get; init; }

    /// <summary>Headers the answer must carry (Content-Range of an unsatisfiable range, the validators of a 304, ...).</summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Named facts about the failure, in order (BucketName, Key, UploadId, ArgumentName, ...).</summary>
    public Dictionary<string, string> Details { get; } = new(StringComparer.Ordinal);

    public StorageException With(string name, string value)
    {
        Details[name] = value;
        return this;
    }

    /// <summary>The thing asked for is not there.</summary>
    public bool IsMissing => Fault is StorageFault.BucketNotFound or StorageFault.ObjectNotFound or StorageFault.VersionNotFound
        or StorageFault.UploadNotFound or StorageFault.LockConfigurationNotFound or StorageFault.RetentionNotFound;

    /// <summary>The bucket's or the key's state is in the way (it exists, is not empty, another write won).</summary>
    public bool IsConflict => Fault is StorageFault.BucketExists or StorageFault.BucketNameTaken or StorageFault.BucketNotEmpty
        or StorageFault.WrongBucketState or StorageFault.ConcurrentWrite;

    /// <summary>A condition of the read decided the answer: not modified, precondition failed, range not satisfiable.</summary>
    public bool IsConditionAnswer => Fault is StorageFault.NotModified or StorageFault.PreconditionFailed or StorageFault.RangeNotSatisfiable;

    /// <summary>The store's trouble, not the request's (S3 answers these 5xx).</summary>
    public bool IsStoreSide => Fault is StorageFault.StoreUnreachable or StorageFault.StoreFailed or StorageFault.SourceChanged
        or StorageFault.Unavailable or StorageFault.Busy or StorageFault.StoreFull or StorageFault.Internal or StorageFault.NotSupported;

    /// <summary>ETag and Last-Modified, which a 304 carries.</summary>
    public StorageException WithValidators(ObjectInfo info)
    {
        Headers["ETag"] = info.ETag;
        Headers["Last-Modified"] = info.LastModified.ToString("R");
        return this;
    }

    /// <summary>A range outside an object of <paramref name="size"/> bytes: the answer says <c>bytes */size</c>.</summary>
    public static StorageException RangeNotSatisfiable(long size) =>
        new StorageException(StorageFault.RangeNotSatisfiable) { Headers = { ["Content-Range"] = $"bytes */{size}" } }
            .With("ActualObjectSize", size.ToString(CultureInfo.InvariantCulture));

    public static StorageException ObjectNotFound(string key) => new StorageException(StorageFault.ObjectNotFound, key).With("Key", key);

    public static StorageException BucketNotFound(string bucket) => new StorageException(StorageFault.BucketNotFound, bucket).With("BucketName", bucket);

    public static StorageException NotModified(ObjectInfo info) => new StorageException(StorageFault.NotModified).WithValidators(info);
}
