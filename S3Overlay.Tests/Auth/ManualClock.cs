namespace S3Overlay.Tests.Auth;

/// <summary>A clock the test sets: the server's "now", for expiry and skew.</summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
