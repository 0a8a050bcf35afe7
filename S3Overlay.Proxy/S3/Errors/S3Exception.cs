namespace S3Overlay.S3.Errors;

/// <summary>
/// A failure that becomes an S3 error response. The front end throws it, and makes one of each
/// store's failure (<see cref="StorageErrors"/>); it becomes the XML body (or a bare status for HEAD and 304).
/// </summary>
internal sealed class S3Exception(S3Error error, string? resource = null, Exception? inner = null)
    : Exception(error.Message, inner)
{
    public S3Error Error { get; } = error;

    /// <summary>The bucket or key the error is about (the XML's Resource element).</summary>
    public string? Resource { get; } = resource;

    /// <summary>Headers the error response must carry (Content-Range on 416, ETag on 304, ...).</summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Extra XML elements after Message (BucketName, Key, ArgumentName, ...).</summary>
    public Dictionary<string, string> Details { get; } = new(StringComparer.Ordinal);

    public S3Exception With(string element, string value)
    {
        Details[element] = value;
        return this;
    }

    public static S3Exception NoSuchKey(string key) => new S3Exception(S3Error.NoSuchKey, key).With("Key", key);

    public static S3Exception NoSuchBucket(string bucket) => new S3Exception(S3Error.NoSuchBucket, bucket).With("BucketName", bucket);
}
