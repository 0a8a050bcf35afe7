using Amazon.S3;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>The S3 error code a client call ends with, for tests that compare what several calls answer.</summary>
public static class S3ErrorCode
{
    /// <returns>The error code; null when the call succeeded.</returns>
    public static async Task<string?> OfAsync(Func<Task> call)
    {
        try
        {
            await call();
            return null;
        }
        catch (AmazonS3Exception e)
        {
            return e.ErrorCode;
        }
    }
}
