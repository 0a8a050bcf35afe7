using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;
using static S3Overlay.Telemetry.OverlayTelemetry;
using Results = S3Overlay.Telemetry.OverlayTelemetry.Results;

namespace S3Overlay.Overlay;

public sealed partial class OverlayObjectStore
{
    /// <summary>The remote no longer holds the generation being read: never mix its bytes with another's.</summary>
    private static readonly S3Error RemoteChanged = S3Error.RemoteError.WithMessage("The remote object changed while it was being read; retry the request.");

    /// <summary>The ETag of the manifest known to be in the cache, by remote object (saves re-reading it per chunk).</summary>
    private readonly ConcurrentDictionary<(string Bucket, string Key), string> _manifestETags = new();

    /// <summary>One remote object cached in chunks: which generation, and how it is cut.</summary>
    private sealed record ChunkedObject(string Bucket, string RemoteBucket, string Key, ObjectInfo Remote, ChunkLayout Layout)
    {
        // The chunks whose fill this read started itself (checking the generation, reading ahead):
        // reading one later is not joining another reader's fill, so it is not coalesced.
        private readonly ConcurrentDictionary<int, bool> _startedHere = new();

        public string ChunkKey(int index) => CacheKeys.Chunk(RemoteBucket, Key, Remote.ETag, Layout.ChunkSize, index);

        public void Started(int index, bool joined)
        {
            if (!joined) _startedHere.TryAdd(index, true);
        }

        public bool StartedHere(int index) => _startedHere.ContainsKey(index);
    }

    /// <param name="retry">When the remote turns out to hold a new generation before any byte is served, start over once with it.</param>
    private async Task<ObjectContent> ReadChunkedAsync(string bucket, string key, string remoteBucket, ObjectInfo remote, ObjectReadRequest request, bool retry, CancellationToken ct)
    {
        request.Conditions.Evaluate(remote);
        var range = Resolve(request.Range, remote.Size);
        var chunked = new ChunkedObject(bucket, remoteBucket, key, remote, new ChunkLayout(remote.Size, _settings.ChunkSize));
        var body = new ChunkedBody(chunked.Layout, range?.Offset ?? 0, range?.Length ?? remote.Size,
            (index, offset, length, c) => OpenChunkAsync(chunked, index, offset, length, c),
            _settings.CacheEnabled ? index => _ = PrefetchChunkAsync(chunked, index) : null);
        try
        {
            await ConfirmGenerationAsync(chunked, body.FirstChunk, body.LastChunk, ct);
            await body.OpenFirstAsync(ct);
        }
        catch (S3Exception e) when (retry && e.Error == RemoteChanged)
        {
            await body.DisposeAsync();
            var fresh = await RemoteHeadAsync(bucket, key, remoteBucket, ct);
            return fresh.Size > _settings.ChunkThreshold
                ? await ReadChunkedAsync(bucket, key, remoteBucket, fresh, request, retry: false, ct)
                : await FillWholeAsync(bucket, key, remoteBucket, request, stale: null, ct);
        }
        catch
        {
            await body.DisposeAsync();
            throw;
        }
        Count(Results.Chunked);
        Cache.Touch(Eviction.CacheEntryKind.Chunks, remoteBucket, key);
        return new ObjectContent(remote, body, range);
    }

    /// <summary>
    /// Before the first byte is served: if the read needs any chunk the cache lacks, the remote
    /// must still hold this generation. Asking with the first missing chunk's fill costs nothing
    /// extra, and turns a replaced object into a clean retry instead of a body cut halfway. A fill
    /// this read joined proves nothing: it may have asked the remote before the object changed
    /// (an earlier read's read-ahead), so the proof is the first fill this read starts itself.
    /// </summary>
    private async Task ConfirmGenerationAsync(ChunkedObject chunked, int first, int last, CancellationToken ct)
    {
        for (var index = first; index <= last; index++)
        {
            if (await HasChunkAsync(chunked, index, ct)) continue;
            var (fill, joined) = JoinChunkFill(chunked, index);
            chunked.Started(index, joined);
            try
            {
                if (joined) continue;
                await fill.Opened.WaitAsync(ct);
                if (fill.Declined) throw new S3Exception(RemoteChanged);
            }
            finally
            {
                fill.Leave();
            }
            return;
        }
    }

    private async Task<Stream> OpenChunkAsync(ChunkedObject chunked, int index, long offset, long length, CancellationToken ct)
    {
        // A fill in flight first, then the cache: in this order a fill that ends in between has
        // stored the chunk by the time the cache is asked, so the remote is not asked twice.
        var inFlight = _chunkFills.TryJoin(chunked.ChunkKey(index));
        if (inFlight is null && await TryOpenCachedChunkAsync(chunked, index, offset, length, ct) is { } cached)
            return cached;
        var (fill, joined) = inFlight is not null ? (inFlight, true) : JoinChunkFill(chunked, index);
        joined &= !chunked.StartedHere(index);
        if (joined) CoalescedWaiters.Add(1);
        try
        {
            await fill.Opened.WaitAsync(ct);
            if (fill.Declined) throw new S3Exception(RemoteChanged);
            return new MeasuredBody(fill.OpenReader(offset, length), Sources.Remote, JoinerSpan(Spans.ChunkFill, chunked.Bucket, chunked.Key, joined)?.SetTag(Tags.ChunkIndex, index));
        }
        catch
        {
            fill.Leave();
            throw;
        }
    }

    private async Task<Stream?> TryOpenCachedChunkAsync(ChunkedObject chunked, int index, long offset, long length, CancellationToken ct)
    {
        try
        {
            var cached = await _local.GetObjectAsync(_settings.CacheBucket, chunked.ChunkKey(index),
                new ObjectReadRequest(new ByteRange(offset, offset + length - 1), ReadConditions.None), ct);
            if (cached.Info.Size == chunked.Layout.LengthOf(index))
            {
                var span = StartSpan(Spans.ChunkHit, chunked.Bucket, chunked.Key)?.SetTag(Tags.ChunkIndex, index);
                return new MeasuredBody(cached.Body, Sources.Local, span);
            }
            // A chunk of the wrong size is one a non-atomic local store is still writing (or
            // kept half of): it is not there yet.
            await cached.DisposeAsync();
            return null;
        }
        catch (S3Exception e) when (IsMiss(e))
        {
            return null;
        }
    }

    /// <summary>Starts filling a chunk a sequential reader will want next, unless it is cached or in flight.</summary>
    private async Task PrefetchChunkAsync(ChunkedObject chunked, int index)
    {
        try
        {
            if (await HasChunkAsync(chunked, index, CancellationToken.None)) return;
            var (fill, joined) = JoinChunkFill(chunked, index);
            chunked.Started(index, joined);
            fill.Leave();
        }
        catch (Exception e)
        {
            _logger.LogDebug(e, "Read-ahead of chunk {Index} of {Key} failed", index, chunked.Key);
        }
    }

    private async Task<bool> HasChunkAsync(ChunkedObject chunked, int index, CancellationToken ct)
    {
        try
        {
            var info = await _local.HeadObjectAsync(_settings.CacheBucket, chunked.ChunkKey(index), ReadConditions.None, ct);
            return info.Size == chunked.Layout.LengthOf(index);
        }
        catch (S3Exception e) when (IsMiss(e))
        {
            return false;
        }
    }

    /// <summary>One ranged remote GET per chunk, however many readers want it.</summary>
    private (RemoteFill Fill, bool Joined) JoinChunkFill(ChunkedObject chunked, int index)
    {
        var range = chunked.Layout.RangeOf(index);
        return _chunkFills.JoinOrStart(chunked.ChunkKey(index), f => f.Start(
            // If-Match: a remote that honours it refuses a replaced object instead of sending its bytes.
            openRemote: c => _remote.GetObjectAsync(chunked.RemoteBucket, chunked.Key,
                new ObjectReadRequest(range, new ReadConditions(chunked.Remote.ETag, null, null, null)), c),
            // Whatever the remote honours, the bytes must be this generation's and exactly this chunk.
            accept: answer => answer.Info.ETag == chunked.Remote.ETag && answer.Info.Size == chunked.Remote.Size
                              && answer.Range?.Offset == range.First && answer.Length == chunked.Layout.LengthOf(index),
            store: _settings.CacheEnabled ? (_, body) => StoreChunkAsync(chunked, index, body) : null,
            mapError: e => e is S3Exception { Error.Status: 412 }
                ? new S3Exception(RemoteChanged)
                : RemoteFailure(e, chunked.Bucket, chunked.Key, chunked.RemoteBucket, CancellationToken.None),
            _logger,
            StartSpan(Spans.ChunkFill, chunked.Bucket, chunked.Key)?.SetTag(Tags.ChunkIndex, index).SetTag(Tags.Coalesced, false)));
    }

    /// <summary>Stores a chunk, then (once per generation) the manifest: a manifest never names a generation with no chunk stored.</summary>
    private async Task StoreChunkAsync(ChunkedObject chunked, int index, Stream body)
    {
        await EnsureLocalBucketAsync(_settings.CacheBucket, CancellationToken.None);
        try
        {
            await _local.PutObjectAsync(_settings.CacheBucket, chunked.ChunkKey(index), body,
                new ObjectWrite { ContentLength = chunked.Layout.LengthOf(index) }, CancellationToken.None);
        }
        catch
        {
            // A chunk key is the overlay's alone: whatever a non-atomic store kept of it goes.
            await DiscardAsync(_settings.CacheBucket, chunked.ChunkKey(index));
            throw;
        }
        Cache.RecordChunk(chunked.RemoteBucket, chunked.Key, chunked.Layout.LengthOf(index));
        EvictIfOverHighWatermark();

        var id = (chunked.RemoteBucket, chunked.Key);
        if (_manifestETags.TryGetValue(id, out var known) && known == chunked.Remote.ETag) return;
        var current = await ChunkManifest.ReadAsync(_local, _settings.CacheBucket, chunked.RemoteBucket, chunked.Key, CancellationToken.None);
        if (current?.ETag != chunked.Remote.ETag || !current.IsChunked)
            await WriteManifestAsync(ChunkManifest.Of(chunked.RemoteBucket, chunked.Remote with { Key = chunked.Key }, chunked.Layout.ChunkSize, _clock.GetUtcNow()));
        _manifestETags[id] = chunked.Remote.ETag;
        _missing.Forget(chunked.RemoteBucket, chunked.Key);
    }
}
