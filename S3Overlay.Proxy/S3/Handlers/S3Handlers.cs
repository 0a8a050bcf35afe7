using S3Overlay.S3.Errors;
using S3Overlay.Storage;

namespace S3Overlay.S3.Handlers;

/// <summary>
/// The S3 operations, split by family into partial files (Garnet style). Each handler reads the
/// request, calls the store, and writes the S3 response.
/// </summary>
public sealed partial class S3Handlers(IObjectStore store, TimeProvider clock)
{
    private static Task NotYet() => throw new S3Exception(S3Error.NotImplemented);
}
