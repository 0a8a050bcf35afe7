using S3Overlay.S3.Errors;
using S3Overlay.Storage;

namespace S3Overlay.Overlay;

/// <summary>One whiteout: a key deleted through the overlay, hidden from the remote until a write or an admin clears it.</summary>
public sealed record Whiteout(string Bucket, string Key, DateTimeOffset DeletedAt);

/// <summary>
/// The whiteouts: empty marker objects in the local store's cache bucket, so every proxy that
/// shares the local store sees the same ones. The marker of <c>bucket/key</c> is
/// <c>whiteouts/bucket/key␠</c> (a trailing space).
/// </summary>
/// <remarks>
/// Why a trailing space: a file-system store cannot hold both <c>a</c> and <c>a/b</c> (a file and
/// a folder of one name), so the marker needs a suffix; and a listing of markers must come back in
/// the order of the keys they stand for, so a merged listing can walk them beside the remote's.
/// Appending one character keeps that order for every key that has no control character (below
/// U+0020) right after a shorter whited-out key; for those rare keys the listing may still show a
/// whited-out remote key (GET and HEAD still answer 404). A local store that cannot hold the
/// marker of a key (the embedded store refuses only keys with U+0000) fails the delete rather than
/// lose the whiteout.
/// <para>
/// A bucket the remote does not back has nothing to hide: no whiteout is kept or looked for there
/// (<paramref name="remoteBacked"/>), which spares an S3 local store a request per delete and per miss.
/// </para>
/// </remarks>
public sealed class WhiteoutIndex(IObjectStore local, string cacheBucket, Func<string, bool> remoteBacked)
{
    public const string Prefix = "whiteouts/";
    private const string Suffix = " ";

    public static string MarkerOf(string bucket, string key) => $"{Prefix}{bucket}/{key}{Suffix}";

    private static string MarkerPrefix(string bucket, string prefix) => $"{Prefix}{bucket}/{prefix}";

    /// <summary>Whether the key has a whiteout (false too when there is not even a cache bucket yet).</summary>
    public async Task<bool> ExistsAsync(string bucket, string key, CancellationToken ct) =>
        remoteBacked(bucket) && await local.FindObjectAsync(cacheBucket, MarkerOf(bucket, key), ct) is not null;

    /// <summary>Writes the whiteout of a key (idempotent), in a bucket the remote backs.</summary>
    public async Task AddAsync(string bucket, string key, CancellationToken ct)
    {
        if (!remoteBacked(bucket)) return;
        await LocalBuckets.EnsureAsync(local, cacheBucket, ct);
        await local.PutObjectAsync(cacheBucket, MarkerOf(bucket, key), Stream.Null, new ObjectWrite { ContentLength = 0 }, ct);
    }

    /// <summary>Removes the whiteout of a key, if there is one: the remote's object (if any) shows again.</summary>
    public async Task ClearAsync(string bucket, string key, CancellationToken ct)
    {
        if (!remoteBacked(bucket)) return;
        try
        {
            await local.DeleteObjectAsync(cacheBucket, MarkerOf(bucket, key), ct);
        }
        catch (S3Exception e) when (e.Error.Status == 404)
        {
            // No cache bucket: no whiteout to clear.
        }
    }

    /// <summary>Every whiteout of <paramref name="bucket"/> whose key starts with <paramref name="prefix"/>, in key order (admin API).</summary>
    public async IAsyncEnumerable<Whiteout> ListAsync(string bucket, string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        string? after = null;
        while (true)
        {
            var page = await ListPageAsync(bucket, new ListRequest(prefix, null, after, 1000), ct);
            foreach (var entry in page.Objects)
                yield return new Whiteout(bucket, entry.Key, entry.LastModified);
            if (!page.IsTruncated || page.NextStartAfter is null) yield break;
            after = page.NextStartAfter;
        }
    }

    /// <summary>
    /// The whiteouts under <paramref name="prefix"/> that hide something: those of keys the local
    /// store does not hold (a key written again keeps its whiteout, hidden behind the local object).
    /// A look at each key: for the admin API, not for reads.
    /// </summary>
    public async IAsyncEnumerable<Whiteout> ListHidingAsync(string bucket, string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var whiteout in ListAsync(bucket, prefix, ct))
            if (await local.FindObjectAsync(bucket, whiteout.Key, ct) is null)
                yield return whiteout;
    }

    /// <summary>
    /// One page of whiteouts in the key space of <paramref name="bucket"/>: objects are whited-out
    /// keys, common prefixes are the prefixes (at the request's delimiter) that hold some.
    /// <see cref="ListPage.NextStartAfter"/> is in the key space too.
    /// </summary>
    public async Task<ListPage> ListPageAsync(string bucket, ListRequest request, CancellationToken ct)
    {
        if (!remoteBacked(bucket)) return new ListPage([], [], false, null);
        var root = MarkerPrefix(bucket, "");
        // A delimiter that holds the suffix could roll up at the suffix itself: list flat then (and roll up below).
        var delimiter = request.Delimiter is { Length: > 0 } d && !d.Contains(Suffix) ? d : null;
        ListPage page;
        try
        {
            page = await local.ListObjectsAsync(cacheBucket, new ListRequest(
                root + request.Prefix, delimiter, request.StartAfter is null ? null : root + request.StartAfter, request.MaxKeys), ct);
        }
        catch (S3Exception e) when (e.Error.Status == 404)
        {
            return new ListPage([], [], false, null);
        }
        var keys = page.Objects
            .Where(o => o.Key.EndsWith(Suffix, StringComparison.Ordinal))
            .Select(o => o with { Key = o.Key[root.Length..^Suffix.Length] })
            .ToList();
        var prefixes = page.CommonPrefixes.Select(p => p[root.Length..]).ToList();
        var next = page.NextStartAfter is { } n && n.StartsWith(root, StringComparison.Ordinal) ? n[root.Length..] : null;
        return new ListPage(keys, prefixes, page.IsTruncated, next);
    }
}
