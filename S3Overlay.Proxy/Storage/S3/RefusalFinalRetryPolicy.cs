using Amazon.Runtime;
using Amazon.S3.Internal;

namespace S3Overlay.Storage.S3;

/// <summary>
/// The SDK's S3 retry policy (one retry, S3's own rules), but a refused connection is not retried
/// (<see cref="RefusedConnection"/>). The SDK retries it after a random wait of up to 1 s (its
/// standard backoff, 0–1 s on the first retry): with the remote's port closed, every answer the
/// overlay can give without the remote (a stale page, a degraded listing) waited that long first,
/// and every one that needs it failed that late (measured: 2 attempts and 0.1–1.0 s a listing).
/// </summary>
internal sealed class RefusalFinalRetryPolicy(IClientConfig config) : AmazonS3StandardRetryPolicy(config)
{
    public override bool RetryForException(IExecutionContext executionContext, Exception exception) =>
        !RefusedConnection.In(exception) && base.RetryForException(executionContext, exception);

    public override async Task<bool> RetryForExceptionAsync(IExecutionContext executionContext, Exception exception) =>
        !RefusedConnection.In(exception) && await base.RetryForExceptionAsync(executionContext, exception);
}
