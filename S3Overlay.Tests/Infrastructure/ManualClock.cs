namespace S3Overlay.Tests.Infrastructure;

/// <summary>A clock that moves only when a test moves it or sets it (timers are the system's).</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    /// <summary>The server's "now", for expiry and skew.</summary>
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}
