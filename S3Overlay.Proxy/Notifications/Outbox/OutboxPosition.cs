namespace S3Overlay.Notifications.Outbox;

/// <summary>
/// A place in the outbox as one number: its segment in the high bits, the byte offset in that
/// segment in the low 40 (a segment is far smaller than a terabyte), so positions order as the
/// events were appended, across segments.
/// </summary>
internal static class OutboxPosition
{
    private const int OffsetBits = 40;
    private const long OffsetMask = (1L << OffsetBits) - 1;

    public static long Of(long segment, long offset) => (segment << OffsetBits) | offset;

    public static long Segment(long position) => position >> OffsetBits;

    public static long Offset(long position) => position & OffsetMask;
}
