using S3Overlay.S3.Errors;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// Tests of a store name its failures by the S3 error a client gets for them: the edge's own
/// mapping (<see cref="StorageErrors"/>), so they assert what a user would see.
/// </summary>
internal static class StorageErrorAnswers
{
    extension(StorageException e)
    {
        /// <summary>The S3 error this failure is answered with.</summary>
        public S3Error Error => StorageErrors.ToS3(e).Error;
    }
}
