namespace S3Overlay.Notifications.Delivery;

/// <summary>One target's figures, for the status page and <c>/_overlay/metrics</c>.</summary>
internal sealed class TargetStatistics(string arn)
{
    private long _queued;
    private long _delivered;
    private long _failed;
    private long _redelivered;
    private long _oldestTicks;

    public string Arn => arn;

    /// <summary>Events kept for the target and not yet delivered.</summary>
    public long Queued => Interlocked.Read(ref _queued);

    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Attempts that failed (each is retried): a target down for a minute counts each of its attempts.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Events sent again after a restart because their delivery was not known to have finished: possible duplicates.</summary>
    public long Redelivered => Interlocked.Read(ref _redelivered);

    /// <summary>When the oldest event not yet delivered was raised; null when none waits.</summary>
    public DateTimeOffset? OldestUndelivered
    {
        get
        {
            var ticks = Interlocked.Read(ref _oldestTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    public void Enqueued() => Interlocked.Increment(ref _queued);

    public void Found(long count) => Interlocked.Add(ref _queued, count);

    public void Waiting(DateTimeOffset? since) => Interlocked.Exchange(ref _oldestTicks, since?.UtcTicks ?? 0);

    public void Succeeded(bool again)
    {
        Interlocked.Decrement(ref _queued);
        Interlocked.Increment(ref _delivered);
        if (again) Interlocked.Increment(ref _redelivered);
    }

    public void Attempted() => Interlocked.Increment(ref _failed);
}
