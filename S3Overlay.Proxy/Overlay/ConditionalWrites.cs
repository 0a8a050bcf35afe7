using S3Overlay.Storage.Errors;
using S3Overlay.Storage;
using S3Overlay.Overlay.Fills;
using S3Overlay.Overlay.Records;
using S3Overlay.Overlay.Remote;
using S3Overlay.Overlay.Whiteouts;
using S3Overlay.Overlay.Chunks;

namespace S3Overlay.Overlay;

/// <summary>
/// A client's conditional write (<c>If-None-Match: *</c>, <c>If-Match</c>) decided against the
/// object a GET would return: the local object (a whiteout is none); else the chunked
/// object's manifest or the remote's object. What was decided then travels to the local store as
/// a condition it checks in the same step as its commit, so nothing written between the look and
/// the commit is overwritten: N writers that all saw no object create it once.
/// </summary>
internal sealed class ConditionalWrites(WholeObjectFills fills, FillRecords records, WhiteoutIndex whiteouts, ChunkMarkers markers, RemoteSource remote)
{
    /// <summary>
    /// Decides <paramref name="asked"/>, then commits with the condition the local store must
    /// check (<paramref name="commit"/> writes with it). A refusal of a condition put in place of
    /// the client's means the object changed since it was looked at: the client hears it as its
    /// own condition failing.
    /// </summary>
    /// <exception cref="StorageException">PreconditionFailed, or NoSuchKey for If-Match where a GET finds nothing.</exception>
    public async Task<ObjectInfo> CommitAsync(string bucket, string key, WriteCondition asked, Func<WriteCondition, Task<ObjectInfo>> commit, CancellationToken ct)
    {
        var sent = await ForLocalStoreAsync(bucket, key, asked, ct);
        try
        {
            return await commit(sent);
        }
        catch (StorageException e) when (sent != asked && e.Fault == StorageFault.ObjectNotFound)
        {
            throw new StorageException(StorageFault.PreconditionFailed, key, inner: e);
        }
    }

    /// <returns>The condition the local store must check with its commit.</returns>
    private async Task<WriteCondition> ForLocalStoreAsync(string bucket, string key, WriteCondition asked, CancellationToken ct)
    {
        if (asked.IsNone) return asked;
        // A fill of the key in flight would store its copy between the look and the commit, and the
        // condition sent (nothing there) would refuse a write whose condition holds against that
        // very object (a fresh-clone CI run: If-Match on the remote's ETag, 412). Once it is stored,
        // the look sees it.
        await fills.WhenFinished(bucket, key).WaitAsync(ct);
        var legacyPending = whiteouts.Legacy.Pending;
        var local = await records.LocalCopyAsync(bucket, key, ct);
        // A whiteout is no object: a write that wants one fails; one that wants none commits
        // over exactly that whiteout, never over a write since.
        if (local is { WhitedOut: true })
            return asked.IfMatch is not null ? throw StorageException.ObjectNotFound(key) : new WriteCondition(IfMatch: local.Info.ETag);
        // What a GET serves is the local object: the local store decides, with its commit.
        if (local is { Stale: false, ChunkMarked: false }) return asked;

        // The key holds no copy (nothing, the stale copy, or the marker of an object cached in chunks):
        // the write commits only over exactly what it holds, never over a write or fill since.
        var held = local is null ? new WriteCondition(OnlyIfAbsent: true) : new WriteCondition(IfMatch: local.Info.ETag);
        var seen = local is { ChunkMarked: false } ? local.Remote : await BeyondLocalAsync(bucket, key, chunkMarked: local is not null, legacyPending, ct);
        if (seen is null)
        {
            if (asked.IfMatch is not null) throw StorageException.ObjectNotFound(key);
            return held; // no object anywhere: the local store creates it only over what it holds
        }
        if (asked.OnlyIfAbsent || !ReadConditions.ETagMatches(asked.IfMatch!, seen.ETag))
            throw new StorageException(StorageFault.PreconditionFailed, key);
        return held; // the remote's object (or the chunked one) matches
    }

    /// <summary>The object a GET of a key the local store holds no copy of would return; null when it would find none.</summary>
    /// <param name="chunkMarked">Whether the key holds a chunk marker: only then (or where markers are not kept) can a manifest be there.</param>
    /// <param name="legacyPending">Whether old whiteouts were still to be moved when the key was looked at (<see cref="LegacyWhiteouts.WhitedOutAsync"/>).</param>
    private async Task<ObjectInfo?> BeyondLocalAsync(string bucket, string key, bool chunkMarked, bool legacyPending, CancellationToken ct)
    {
        if (await whiteouts.Legacy.WhitedOutAsync(bucket, key, legacyPending, ct)) return null;
        if ((chunkMarked || !markers.Kept)
            && await records.CurrentManifestAsync(bucket, await records.ReadSeenAsync(bucket, key, ct), ct) is { } manifest)
            return manifest.ToObjectInfo(key);
        if (remote.IsKnownMissing(bucket, key)) return null;
        try
        {
            return await remote.HeadAsync(bucket, key, ct);
        }
        catch (StorageException e) when (e.IsMissing)
        {
            return null;
        }
    }
}
