using S3Overlay.Storage.Errors;
using S3Overlay.Storage;

namespace S3Overlay.Overlay;

internal static class Ranges
{
    /// <summary>The asked range against the object's size: null for the whole object, InvalidRange when unsatisfiable.</summary>
    public static ResolvedRange? Resolve(ByteRange? range, long size) =>
        range is null ? null : range.Value.Resolve(size) ?? throw StorageException.RangeNotSatisfiable(size);
}
