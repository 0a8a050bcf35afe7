namespace S3Overlay.Tests.Infrastructure;

/// <summary>A clock that moves only when a test moves it (timers are the system's).</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
