using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Errors;

namespace S3Overlay.S3.Http;

/// <summary>
/// <c>x-amz-storage-class</c> on a write. This server has one storage; as MinIO does, it keeps
/// <c>STANDARD</c> and <c>REDUCED_REDUNDANCY</c> (a promise of less, which its storage more than
/// keeps) and refuses every other class with InvalidStorageClass, never taking a class it would not keep.
/// </summary>
internal static class StorageClasses
{
    public const string Standard = "STANDARD";
    public const string ReducedRedundancy = "REDUCED_REDUNDANCY";
    public const string Header = "x-amz-storage-class";

    /// <returns>The class to keep with the object: null for STANDARD (S3 names no class for it on GET and HEAD).</returns>
    public static string? Read(HttpRequest request)
    {
        var value = ObjectHeaders.NullIfEmpty(request.Headers[Header]);
        return value switch
        {
            null or Standard => null,
            ReducedRedundancy => value,
            _ => throw new S3Exception(S3Error.InvalidStorageClass).With("StorageClassRequested", value),
        };
    }

    /// <summary>The class a listing or GetObjectAttributes names for the object.</summary>
    public static string Of(Storage.ObjectMetadata metadata) => metadata.StorageClass ?? Standard;
}
