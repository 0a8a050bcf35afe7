using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Http;

namespace S3Overlay.S3.Lifecycle;

/// <summary>
/// The buckets' lifecycle configurations as this replica last saw them: set by its own
/// PutBucketLifecycleConfiguration, read by the scanner at start-up and on every scan. What GET,
/// HEAD and PUT tell in <c>x-amz-expiration</c> comes from here, so no object request costs a read
/// of a bucket setting (with an S3 local store, a request of it); another replica's change is seen
/// at the next scan.
/// </summary>
internal sealed class BucketLifecycles(LifecycleDays days)
{
    public const string ExpirationHeader = "x-amz-expiration";

    private readonly ConcurrentDictionary<string, LifecycleConfiguration> _known = new(StringComparer.Ordinal);
    // Bumped by every change made here: a scan's read that began before it does not overwrite it.
    private long _generation;

    public LifecycleDays Days => days;

    public LifecycleConfiguration? Of(string bucket) => _known.GetValueOrDefault(bucket);

    /// <summary>This replica changed the bucket's configuration (null: deleted, or the bucket was).</summary>
    public void Set(string bucket, LifecycleConfiguration? configuration)
    {
        Interlocked.Increment(ref _generation);
        if (configuration is null) _known.TryRemove(bucket, out _);
        else _known[bucket] = configuration;
    }

    /// <summary>Where a scan's reads begin: what they learn after a change made here since is dropped.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>A scan read the bucket's configuration (null: it has none).</summary>
    public void Learn(string bucket, LifecycleConfiguration? configuration, long generation)
    {
        if (Generation != generation) return;
        if (configuration is null) _known.TryRemove(bucket, out _);
        else _known[bucket] = configuration;
    }

    /// <summary>A scan found these buckets: any other remembered is gone.</summary>
    public void KeepOnly(IReadOnlySet<string> buckets, long generation)
    {
        if (Generation != generation) return;
        foreach (var bucket in _known.Keys)
            if (!buckets.Contains(bucket)) _known.TryRemove(bucket, out _);
    }

    /// <summary>
    /// The header S3 sends on an object a rule will expire: <c>expiry-date="Fri, 23 Dec 2027
    /// 00:00:00 GMT", rule-id="…"</c> (the rule that expires it first). Null when none will.
    /// </summary>
    public static string? HeaderFor(LifecycleConfiguration configuration, LifecycleObject o, LifecycleDays days) =>
        configuration.Decide(o, days) is { Kind: LifecycleActionKind.ExpireCurrent } action
            ? $"expiry-date=\"{HttpDates.Format(action.Due)}\", rule-id=\"{action.RuleId}\""
            : null;

    /// <summary>Sets <c>x-amz-expiration</c> on an object answer when a rule of the bucket will expire the object.</summary>
    /// <param name="readTags">Reads the object's tags where <paramref name="info"/> may lack them (a HEAD's),
    /// asked only when a rule's tag filter decides; null where the info has them (a GET's, a PUT's).</param>
    public async Task WriteHeaderAsync(HttpResponse response, string bucket, string key, Storage.ObjectInfo info,
        Func<Task<IReadOnlyDictionary<string, string>>>? readTags = null)
    {
        if (Of(bucket) is not { } configuration) return;
        var o = new LifecycleObject(key, info.Size, info.LastModified, readTags is null || info.Metadata.Tags.Count > 0 ? info.Metadata.Tags : null);
        if (readTags is not null && configuration.NeedsTags(o)) o = o with { Tags = await readTags() };
        // S3's calendar, whatever a scan's day: a shortened day (a test's) makes the scanner act
        // sooner, but the header keeps the date S3 would tell, as Ceph RGW's does under its
        // debug interval and as s3-tests read it (whole days from the object's creation).
        if (HeaderFor(configuration, o, LifecycleDays.Standard) is { } header) response.Headers[ExpirationHeader] = header;
    }
}
