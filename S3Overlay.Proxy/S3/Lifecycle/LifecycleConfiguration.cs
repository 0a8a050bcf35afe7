namespace S3Overlay.S3.Lifecycle;

/// <summary>
/// A bucket's lifecycle rules and what they decide for one version of a key: which enabled rules
/// apply to it (every predicate of their filter holds), and of their actions the one that falls
/// due first. Whether it is due yet is the caller's question (the scan's clock, the header's).
/// </summary>
internal sealed record LifecycleConfiguration(IReadOnlyList<LifecycleRule> Rules)
{
    public bool AbortsUploads => Rules.Any(r => r.Enabled && r.AbortIncompleteMultipartUpload is not null);

    /// <summary>Whether any enabled rule acts on objects (not only on uploads): a scan lists the bucket only then.</summary>
    public bool ActsOnObjects => Rules.Any(r => r.Enabled && (r.Expiration is not null || r.NoncurrentVersionExpiration is not null));

    /// <summary>Whether deciding for <paramref name="o"/> needs its tags: a rule that would apply but for its tag filter.</summary>
    public bool NeedsTags(LifecycleObject o) =>
        o.Tags is null && Rules.Any(r => r.Enabled && r.Filter.HasTags && r.Filter.MatchesKey(o.Key) && r.Filter.MatchesSize(o.Size, o.IsDeleteMarker));

    /// <summary>The first action due for <paramref name="o"/> under any rule; null when no rule acts on it.</summary>
    public LifecycleAction? Decide(LifecycleObject o, LifecycleDays days)
    {
        LifecycleAction? first = null;
        foreach (var rule in Rules)
        {
            if (!Applies(rule, o) || ActionOf(rule, o, days) is not { } action) continue;
            if (first is null || action.Due < first.Due) first = action;
        }
        return first;
    }

    /// <summary>The multipart upload's abort: when it falls due and by which rule; null when no rule aborts it.</summary>
    public LifecycleAction? AbortOf(string key, DateTimeOffset initiated, LifecycleDays days)
    {
        LifecycleAction? first = null;
        foreach (var rule in Rules)
        {
            if (!rule.Enabled || rule.AbortIncompleteMultipartUpload is not { } abort || !rule.Filter.MatchesKey(key)) continue;
            var due = days.After(initiated, abort.DaysAfterInitiation);
            if (first is null || due < first.Due) first = new LifecycleAction(LifecycleActionKind.ExpireCurrent, rule.Id, due);
        }
        return first;
    }

    private static bool Applies(LifecycleRule rule, LifecycleObject o) =>
        rule.Enabled && rule.Filter.MatchesKey(o.Key) && rule.Filter.MatchesSize(o.Size, o.IsDeleteMarker)
        && (!rule.Filter.HasTags || (o.Tags is { } tags && rule.Filter.MatchesTags(tags)));

    private static LifecycleAction? ActionOf(LifecycleRule rule, LifecycleObject o, LifecycleDays days)
    {
        if (!o.IsCurrent)
        {
            // The newest NewerNoncurrentVersions noncurrent versions are kept, however old.
            if (rule.NoncurrentVersionExpiration is not { } noncurrent || o.NewerNoncurrent < (noncurrent.NewerNoncurrentVersions ?? 0)) return null;
            return new LifecycleAction(LifecycleActionKind.DeleteNoncurrent, rule.Id, days.After(o.BecameNoncurrent!.Value, noncurrent.NoncurrentDays));
        }
        if (rule.Expiration is not { } expiration) return null;
        if (o.IsDeleteMarker)
        {
            // Only a marker with no versions left behind it is "expired"; an age rule removes it too, as on S3.
            if (o.Versions != 1) return null;
            if (expiration.ExpiredObjectDeleteMarker == true) return new LifecycleAction(LifecycleActionKind.DeleteExpiredMarker, rule.Id, o.LastModified);
            return expiration.Days is { } markerDays ? new LifecycleAction(LifecycleActionKind.DeleteExpiredMarker, rule.Id, days.After(o.LastModified, markerDays)) : null;
        }
        if (expiration.Days is { } n) return new LifecycleAction(LifecycleActionKind.ExpireCurrent, rule.Id, days.After(o.LastModified, n));
        if (expiration.Date is { } date) return new LifecycleAction(LifecycleActionKind.ExpireCurrent, rule.Id, date);
        return null;
    }
}
