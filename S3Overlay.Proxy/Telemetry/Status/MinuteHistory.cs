namespace S3Overlay.Telemetry.Status;

/// <summary>What happened in one minute, for the status page's charts.</summary>
/// <param name="Hits">Reads served wholly from the local store.</param>
/// <param name="Found">Reads that found an object (hits, fills, chunked): the hit ratio's denominator.</param>
/// <param name="FillsInFlight">The most fills seen in flight at once when looked at during the minute.</param>
internal sealed record MinuteSample(DateTimeOffset Start, long Hits, long Found, long LocalBytes, long RemoteBytes, long FillsInFlight)
{
    public double? HitRatio => Found == 0 ? null : (double)Hits / Found;
}

/// <summary>
/// The last hour, minute by minute, in a ring of 60 slots kept in process. Measurements land in the
/// slot of the minute they happen in (by the injected clock, so tests move time by hand); a slot
/// is reused once its minute is an hour old. One lock per measurement: a few per request.
/// </summary>
internal sealed class MinuteHistory(TimeProvider time)
{
    public const int Minutes = 60;

    private readonly Slot[] _slots = Enumerable.Range(0, Minutes).Select(_ => new Slot()).ToArray();
    private readonly Lock _lock = new();

    private sealed class Slot
    {
        public long Minute = -1;
        public long Hits, Found, LocalBytes, RemoteBytes, FillsInFlight;
    }

    public void AddReads(long hits, long found) => Update(s =>
    {
        s.Hits += hits;
        s.Found += found;
    });

    public void AddBytes(bool local, long bytes) => Update(s =>
    {
        if (local) s.LocalBytes += bytes;
        else s.RemoteBytes += bytes;
    });

    public void SeeFillsInFlight(long inFlight) => Update(s => s.FillsInFlight = Math.Max(s.FillsInFlight, inFlight));

    /// <summary>The last <see cref="Minutes"/> minutes, oldest first, the current one last; quiet minutes are zeros.</summary>
    public IReadOnlyList<MinuteSample> Samples()
    {
        var now = MinuteOf(time.GetUtcNow());
        var samples = new List<MinuteSample>(Minutes);
        lock (_lock)
            for (var minute = now - Minutes + 1; minute <= now; minute++)
            {
                var s = _slots[minute % Minutes];
                var start = DateTimeOffset.FromUnixTimeSeconds(minute * 60);
                samples.Add(s.Minute == minute
                    ? new MinuteSample(start, s.Hits, s.Found, s.LocalBytes, s.RemoteBytes, s.FillsInFlight)
                    : new MinuteSample(start, 0, 0, 0, 0, 0));
            }
        return samples;
    }

    private void Update(Action<Slot> change)
    {
        var minute = MinuteOf(time.GetUtcNow());
        lock (_lock)
        {
            var slot = _slots[minute % Minutes];
            if (slot.Minute != minute)
            {
                slot.Minute = minute;
                slot.Hits = slot.Found = slot.LocalBytes = slot.RemoteBytes = slot.FillsInFlight = 0;
            }
            change(slot);
        }
    }

    private static long MinuteOf(DateTimeOffset at) => at.ToUnixTimeSeconds() / 60;
}
