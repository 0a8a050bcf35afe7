using Amazon.S3.Model;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Storage.S3;

internal sealed partial class S3ObjectStore
{
    public async Task<string> CreateMultipartUploadAsync(string bucket, string key, ObjectWrite write, CancellationToken ct)
    {
        var request = new InitiateMultipartUploadRequest { BucketName = bucket, Key = key, TagSet = ToSdk(write.Metadata.Tags) };
        PreservedMetadata.Apply(write, request.Headers, request.Metadata);
        ApplyLock(write.Metadata, (mode, until) => (request.ObjectLockMode, request.ObjectLockRetainUntilDate) = (mode, until), hold => request.ObjectLockLegalHoldStatus = hold);
        var response = await CallAsync(bucket, key, t => _client.InitiateMultipartUploadAsync(request, t), ct);
        return response.UploadId;
    }

    public async Task<PartInfo> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream body, ObjectWrite write, CancellationToken ct)
    {
        await using var upload = await UploadBody.OpenAsync(body, write, ct);
        var request = new UploadPartRequest
        {
            BucketName = bucket,
            Key = key,
            UploadId = uploadId,
            PartNumber = partNumber,
            InputStream = upload.Stream,
            PartSize = upload.Length,
            UseChunkEncoding = false,
            DisablePayloadSigning = true,
            MD5Digest = write.ContentMD5,
        };
        var response = await upload.SendAsync(() => CallAsync(bucket, key, t => _client.UploadPartAsync(request, t), ct, upload: upload));
        var checksums = write.TrailingChecksums?.Invoke() ?? write.Metadata.Checksums;
        return new PartInfo(partNumber, response.ETag, upload.Length, Now(), checksums);
    }

    public async Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, IReadOnlyList<CompletedPart> parts, ObjectChecksum? expected, WriteCondition condition, CancellationToken ct)
    {
        // The SDK sorts the list it sends, so the server would never see a wrong order. Of a part
        // number listed twice the client listed last the answer it got last: the upload that finished last.
        var numbers = CompletedPart.InOrder(parts);
        var request = new CompleteMultipartUploadRequest
        {
            BucketName = bucket,
            Key = key,
            UploadId = uploadId,
            PartETags = numbers.Select(listed => new PartETag(listed[^1].PartNumber, listed[^1].ETag)).ToList(),
        };
        // The server behind checks the whole object's checksum itself, and the condition with the commit.
        if (expected is not null) ExpectChecksum(request, expected);
        var asked = await ServerConditionAsync(bucket, key, condition, ct);
        (request.IfNoneMatch, request.IfMatch) = (asked.IfNoneMatch, asked.IfMatch);
        // Assembling many parts can take a server a while.
        await CallAsync(bucket, key, t => _client.CompleteMultipartUploadAsync(request, t), ct, Timeout.InfiniteTimeSpan, condition: asked);
        return await HeadAsync(bucket, key, ct);
    }

    private static void ExpectChecksum(CompleteMultipartUploadRequest request, ObjectChecksum expected)
    {
        switch (expected.Algorithm)
        {
            case "crc32": request.ChecksumCRC32 = expected.Value; break;
            case "crc32c": request.ChecksumCRC32C = expected.Value; break;
            case "crc64nvme": request.ChecksumCRC64NVME = expected.Value; break;
            case "sha1": request.ChecksumSHA1 = expected.Value; break;
            case "sha256": request.ChecksumSHA256 = expected.Value; break;
        }
        if (expected.Type is not null) request.ChecksumType = expected.Type;
    }

    public Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken ct) =>
        CallAsync(bucket, key, t => _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = uploadId }, t), ct);

    public async Task<PartsPage> ListPartsAsync(string bucket, string key, string uploadId, int partNumberMarker, int maxParts, CancellationToken ct)
    {
        var request = new ListPartsRequest { BucketName = bucket, Key = key, UploadId = uploadId, MaxParts = maxParts };
        if (partNumberMarker > 0) request.PartNumberMarker = partNumberMarker.ToString(System.Globalization.CultureInfo.InvariantCulture);
        ListPartsResponse response;
        try
        {
            response = await CallAsync(bucket, key, t => _client.ListPartsAsync(request, t), ct);
        }
        // Ceph RGW (16 at least) calls an upload it does not know NoSuchKey here; a listing of
        // parts names no object, so its 404 can only mean the upload.
        catch (StorageException e) when (e.Fault == StorageFault.ObjectNotFound)
        {
            throw new StorageException(StorageFault.UploadNotFound, key, inner: e).With("UploadId", uploadId);
        }
        var parts = (response.Parts ?? [])
            .Select(p => new PartInfo(p.PartNumber ?? 0, p.ETag, p.Size ?? 0, PreservedMetadata.ToOffset(p.LastModified), ObjectMetadata.EmptyMap))
            .ToList();
        return new PartsPage(parts, response.IsTruncated == true, response.NextPartNumberMarker ?? parts.LastOrDefault()?.PartNumber ?? 0,
            response.ChecksumAlgorithm?.Value is { Length: > 0 } algorithm ? algorithm.ToLowerInvariant() : null,
            response.ChecksumType?.Value is { Length: > 0 } type ? type : null);
    }

    public async Task<UploadsPage> ListMultipartUploadsAsync(string bucket, UploadsRequest request, CancellationToken ct)
    {
        var list = new ListMultipartUploadsRequest
        {
            BucketName = bucket,
            Prefix = string.IsNullOrEmpty(request.Prefix) ? null : request.Prefix,
            Delimiter = string.IsNullOrEmpty(request.Delimiter) ? null : request.Delimiter,
            KeyMarker = request.KeyMarker,
            UploadIdMarker = request.UploadIdMarker,
            MaxUploads = request.MaxUploads,
        };
        var response = await CallAsync(bucket, null, t => _client.ListMultipartUploadsAsync(list, t), ct);
        var uploads = (response.MultipartUploads ?? [])
            .Select(u => new MultipartUpload(u.Key, u.UploadId, PreservedMetadata.ToOffset(u.Initiated)))
            .ToList();
        var prefixes = response.CommonPrefixes ?? [];
        var truncated = response.IsTruncated == true;
        return new UploadsPage(uploads, prefixes, truncated,
            truncated ? response.NextKeyMarker : null, truncated ? response.NextUploadIdMarker : null);
    }
}
