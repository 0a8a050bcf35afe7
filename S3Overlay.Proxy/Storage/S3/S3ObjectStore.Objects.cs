using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Storage.Errors;
using S3Overlay.Streams;

namespace S3Overlay.Storage.S3;

internal sealed partial class S3ObjectStore
{
    public async Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ReadConditions conditions, CancellationToken ct)
    {
        var info = await HeadAsync(bucket, key, ct);
        conditions.Evaluate(info);
        return info;
    }

    /// <remarks>
    /// Conditions are evaluated here rather than sent along, because the ETag and Last-Modified
    /// they compare with may be preserved values the server does not know.
    /// </remarks>
    public Task<ObjectContent> GetObjectAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct) =>
        OpenAsync(bucket, key, request, request.Range?.ToString(), ct);

    /// <param name="rangeHeader">What to ask the server for; the answer is cut to <see cref="ObjectReadRequest.Range"/>.</param>
    private async Task<ObjectContent> OpenAsync(string bucket, string key, ObjectReadRequest request, string? rangeHeader, CancellationToken ct, string? versionId = null)
    {
        ObjectAnswer answer;
        IDisposable response;
        try
        {
            (answer, response) = await CallAsync(bucket, key, t => GetAsync(bucket, key, rangeHeader, t, versionId, request.NotModifiedIfETag), ct);
        }
        // Only that ETag is sent as a condition (the read's own are decided here): it matched.
        catch (StorageException e) when (e.Fault == StorageFault.NotModified && request.NotModifiedIfETag is { } etag)
        {
            throw new StorageException(StorageFault.NotModified, key, inner: e) { Headers = { ["ETag"] = etag } };
        }
        catch (StorageException e) when (e.Fault == StorageFault.RangeNotSatisfiable)
        {
            // 416 says nothing of the object: its conditions come first, and the size may be missing.
            var head = versionId is null ? await HeadObjectAsync(bucket, key, request.Conditions, ct) : await HeadObjectVersionAsync(bucket, key, versionId, request.Conditions, ct);
            throw StorageException.RangeNotSatisfiable(head.Size);
        }
        ResolvedRange? retry = null;
        try
        {
            var received = RemoteBody.Of(answer, whole: rangeHeader is null, request.ProveByMd5);
            var body = new ReadIdleTimeoutStream(received.Stream, Options.ReadIdleTimeout, Options.Describe());
            var answered = ContentRange.Parse(answer.ContentRange);
            var size = answered?.TotalSize ?? answer.ContentLength;
            var info = answer.Describe(key, size) with { VersionId = VersionOf(answer, versionId) };
            request.Conditions.Evaluate(info);
            info = await WithTagsAsync(info, answer.TagCount, bucket, ct);
            if (request.Range is not { } asked) return new ObjectContent(info, body, null) { VerifiedBy = received.VerifiedBy };
            var range = asked.Resolve(size) ?? throw StorageException.RangeNotSatisfiable(size);
            var got = answered ?? new ResolvedRange(0, size, size);
            if (got == range) return new ObjectContent(info, body, range);
            if (got.Offset <= range.Offset && got.Last >= range.Last)
                return new ObjectContent(info, new RangeWindowStream(body, range.Offset - got.Offset, range.Length), range);
            // Other bytes than asked (s3rver reads bytes=-100 as 0-100): ask again, now that the size is known.
            if (rangeHeader == $"bytes={range.Offset}-{range.Last}")
                throw new StorageException(StorageFault.StoreFailed, key, $"The {Options.Describe()} answered {got.ContentRange} to {rangeHeader}.");
            retry = range;
        }
        catch
        {
            response.Dispose();
            throw;
        }
        response.Dispose();
        return await OpenAsync(bucket, key, request, $"bytes={retry.Value.Offset}-{retry.Value.Last}", ct, versionId);
    }

    /// <summary>A GET, sent directly (<see cref="DirectReads"/>); the response owns the answer's body.</summary>
    private async Task<(ObjectAnswer, IDisposable)> GetAsync(string bucket, string key, string? rangeHeader, CancellationToken ct, string? versionId = null, string? ifNoneMatch = null)
    {
        var response = await _direct.SendAsync(HttpMethod.Get, bucket, key, rangeHeader, ct, versionId, ifNoneMatch);
        try
        {
            return (ObjectAnswer.Of(response, await response.Content.ReadAsStreamAsync(ct)), response);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public async Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream body, ObjectWrite write, CancellationToken ct)
    {
        var condition = await ServerConditionAsync(bucket, key, write.Condition, ct);
        await using var upload = await UploadBody.OpenAsync(body, write, ct, trailerFirst: true);
        var early = upload.Spooled ? write.TrailingChecksums?.Invoke() : null;
        var put = new PutObjectRequest
        {
            BucketName = bucket,
            Key = key,
            InputStream = upload.Stream,
            AutoCloseStream = false,
            AutoResetStreamPosition = false,
            UseChunkEncoding = false,
            DisablePayloadSigning = true,
            MD5Digest = write.ContentMD5,
            IfNoneMatch = condition.IfNoneMatch,
            IfMatch = condition.IfMatch,
            TagSet = ToSdk(write.Metadata.Tags),
        };
        put.Headers.ContentLength = upload.Length;
        PreservedMetadata.Apply(write, put.Headers, put.Metadata, early);
        ApplyLock(write.Metadata, (mode, until) => (put.ObjectLockMode, put.ObjectLockRetainUntilDate) = (mode, until), hold => put.ObjectLockLegalHoldStatus = hold);
        var response = await upload.SendAsync(() => CallAsync(bucket, key, t => _client.PutObjectAsync(put, t), ct, upload: upload, condition: condition));
        var (etag, metadata) = (response.ETag, write.Metadata);
        if (early is { Count: > 0 })
            metadata = metadata with { Checksums = PreservedMetadata.Merge(metadata.Checksums, early) };
        else if (!upload.Spooled && write.TrailingChecksums?.Invoke() is { Count: > 0 } trailing
            && await KeepTrailingChecksumsAsync(bucket, key, write, trailing, etag, ct) is { } copied)
            (etag, metadata) = (copied, metadata with { Checksums = PreservedMetadata.Merge(metadata.Checksums, trailing) });
        return new ObjectInfo(key, upload.Length, write.ETag ?? etag, write.LastModified ?? Now(), metadata) { VersionId = response.VersionId };
    }

    /// <summary>
    /// Trailer checksums are known only after the body, when the object's metadata is already
    /// written: a copy onto itself (a server-side metadata rewrite, no bytes through us) adds
    /// them, provided nobody replaced the object meanwhile. The object is stored either way, so
    /// a server that cannot do this (s3rver misreads the copy source) keeps it without them.
    /// </summary>
    /// <returns>The object's new ETag, or null when the checksums could not be added.</returns>
    private async Task<string?> KeepTrailingChecksumsAsync(string bucket, string key, ObjectWrite write, IReadOnlyDictionary<string, string> checksums, string etag, CancellationToken ct)
    {
        var copy = MetadataRewrite(bucket, key);
        copy.ETagToMatch = etag;
        PreservedMetadata.Apply(write, copy.Headers, copy.Metadata, checksums);
        try
        {
            var response = await CallAsync(bucket, key, t => _client.CopyObjectAsync(copy, t), ct, Timeout.InfiniteTimeSpan);
            return response.ETag;
        }
        catch (StorageException e) when (!e.IsStoreSide && e.Fault != StorageFault.NotModified || e.Fault == StorageFault.StoreFailed)
        {
            return null;
        }
    }

    /// <summary>A copy of the object onto itself with new metadata: no bytes pass through us.</summary>
    private static CopyObjectRequest MetadataRewrite(string bucket, string key) => new()
    {
        SourceBucket = bucket,
        SourceKey = key,
        DestinationBucket = bucket,
        DestinationKey = key,
        MetadataDirective = S3MetadataDirective.REPLACE,
    };

    public Task DeleteObjectAsync(string bucket, string key, CancellationToken ct) =>
        CallAsync(bucket, key, t => _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = key }, t), ct);

    /// <summary>
    /// The condition as the server must check it, with the write itself (MinIO and S3 honour
    /// If-None-Match and If-Match on PUT and CompleteMultipartUpload). If-Match names the ETag the
    /// seam shows, which may be a preserved one the server does not know: it is checked against
    /// the object now, and the server is asked to match the ETag it knows that object by, so a
    /// write that lands in between still fails there.
    /// </summary>
    private async Task<ServerCondition> ServerConditionAsync(string bucket, string key, WriteCondition condition, CancellationToken ct) =>
        new(condition.OnlyIfAbsent ? "*" : null, condition.IfMatch is { } etag ? await ServerETagMatchingAsync(bucket, key, etag, ct) : null);

    /// <summary>
    /// Whether a conditional write the server failed with a 5xx answer lost a race rather than
    /// failed: Ceph RGW 16.2 answers 500 (ECANCELED, "resorting to 500" in its log) to a
    /// conditional write whose object another write replaced while it was made, where S3 answers
    /// 412 (or 409 ConditionalRequestConflict). The key as a HEAD finds it now tells: when it fails
    /// the condition, the write is answered 412, as it would have been after the other write;
    /// otherwise (or when the HEAD fails too) the server's failure stands.
    /// </summary>
    private async Task<bool> LostRaceAsync(string bucket, string key, ServerCondition condition, CancellationToken ct)
    {
        try
        {
            return condition.FailedBy((await HeadAnswerAsync(bucket, key, ct)).ServerETag);
        }
        catch (StorageException e) when (e.Fault == StorageFault.ObjectNotFound)
        {
            return condition.FailedBy(null);
        }
        catch (StorageException)
        {
            return false;
        }
    }

    /// <summary>
    /// The ETag the server knows the object (or the version) by, once the seam's ETag of it matches
    /// <paramref name="etag"/>: else PreconditionFailed. Bare, not quoted as HEAD gave it: S3 and
    /// MinIO take either, and Ceph RGW before 20 (DigitalOcean Spaces too) compares the header's
    /// bytes with the bare ETag, so a quoted one never matches there and every such write (a fill
    /// over a stale copy) failed.
    /// </summary>
    private async Task<string> ServerETagMatchingAsync(string bucket, string key, string etag, CancellationToken ct, string? versionId = null)
    {
        var (current, serverETag) = await HeadAnswerAsync(bucket, key, ct, versionId);
        if (!ReadConditions.ETagMatches(etag, current.ETag)) throw new StorageException(StorageFault.PreconditionFailed, key);
        return ReadConditions.Unquote(serverETag);
    }

    private async Task<ObjectInfo> HeadAsync(string bucket, string key, CancellationToken ct) => (await HeadAnswerAsync(bucket, key, ct)).Info;

    /// <returns>The object as the seam describes it, and the ETag the server itself gives it.</returns>
    private async Task<(ObjectInfo Info, string ServerETag)> HeadAnswerAsync(string bucket, string key, CancellationToken ct, string? versionId = null)
    {
        try
        {
            var answer = await CallAsync(bucket, key, async t =>
            {
                using var response = await _direct.SendAsync(HttpMethod.Head, bucket, key, null, t, versionId);
                return ObjectAnswer.Of(response, null);
            }, ct);
            return (answer.Describe(key, answer.ContentLength) with { VersionId = VersionOf(answer, versionId) }, answer.ETag);
        }
        // A HEAD's 404 has no body to tell a missing key from a missing bucket: ask, unless the bucket is known to exist.
        catch (StorageException e) when (e.Fault == StorageFault.ObjectNotFound && !_known.Contains(bucket))
        {
            if (!await BucketExistsAsync(bucket, ct)) throw StorageException.BucketNotFound(bucket);
            throw;
        }
    }

    /// <summary>The version a read tells: the one asked for, else the server's where this store tells them.</summary>
    private string? VersionOf(ObjectAnswer answer, string? asked) => asked ?? (Options.TellsVersions ? answer.VersionId : null);

    private DateTimeOffset Now()
    {
        var now = _clock.GetUtcNow();
        return new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }
}
