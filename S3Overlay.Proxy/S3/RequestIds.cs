namespace S3Overlay.S3;

/// <summary>Request ids as S3 makes them: 16 upper-case hex digits, unique per process run.</summary>
internal static class RequestIds
{
    private static readonly long Start = DateTime.UtcNow.Ticks;
    private static long _counter;

    public static string Next() => (Start + Interlocked.Increment(ref _counter)).ToString("X16");
}
