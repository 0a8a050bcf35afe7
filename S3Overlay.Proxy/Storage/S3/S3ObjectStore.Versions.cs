using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Storage.Versions;

namespace S3Overlay.Storage.S3;

/// <summary>
/// Versions are the server's own: its versioning state, ids, delete markers and listing, passed
/// through (the version ids clients see are the server's).
/// </summary>
internal sealed partial class S3ObjectStore
{
    public async Task<BucketVersioning> GetBucketVersioningAsync(string bucket, CancellationToken ct)
    {
        var response = await CallAsync(bucket, null, t => _client.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucket }, t), ct);
        var status = response.VersioningConfig?.Status;
        return status == VersionStatus.Enabled ? BucketVersioning.Enabled
            : status == VersionStatus.Suspended ? BucketVersioning.Suspended
            : BucketVersioning.Unversioned;
    }

    public Task PutBucketVersioningAsync(string bucket, BucketVersioning state, CancellationToken ct) =>
        CallAsync(bucket, null, t => _client.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = bucket,
            VersioningConfig = new S3BucketVersioningConfig { Status = state == BucketVersioning.Enabled ? VersionStatus.Enabled : VersionStatus.Suspended },
        }, t), ct);

    public async Task<ObjectInfo> HeadObjectVersionAsync(string bucket, string key, string versionId, ReadConditions conditions, CancellationToken ct)
    {
        var (info, _) = await HeadAnswerAsync(bucket, key, ct, versionId);
        conditions.Evaluate(info);
        return info;
    }

    public Task<ObjectContent> GetObjectVersionAsync(string bucket, string key, string versionId, ObjectReadRequest request, CancellationToken ct) =>
        OpenAsync(bucket, key, request, request.Range?.ToString(), ct, versionId);

    public Task<DeletedVersion> DeleteObjectVersionAsync(string bucket, string key, string? versionId, CancellationToken ct) =>
        DeleteObjectVersionAsync(bucket, key, versionId, ObjectDelete.Plain, ct);

    /// <remarks>As ListObjects here, listed versions carry the server's ETag and Last-Modified.</remarks>
    public async Task<VersionsPage> ListObjectVersionsAsync(string bucket, VersionsRequest request, CancellationToken ct)
    {
        var list = new ListVersionsRequest
        {
            BucketName = bucket,
            Prefix = request.Prefix,
            Delimiter = string.IsNullOrEmpty(request.Delimiter) ? null : request.Delimiter,
            KeyMarker = request.KeyMarker,
            VersionIdMarker = request.VersionIdMarker,
            MaxKeys = Math.Clamp(request.MaxKeys, 1, 1000),
        };
        var page = await CallAsync(bucket, null, t => _client.ListVersionsAsync(list, t), ct);
        var versions = (page.Versions ?? []).Select(v => new ObjectVersion(
            new ObjectInfo(v.Key, v.Size ?? 0, v.ETag ?? "", PreservedMetadata.ToOffset(v.LastModified), ObjectMetadata.Empty) { VersionId = v.VersionId },
            v.VersionId, v.IsLatest ?? false, v.IsDeleteMarker ?? false)).ToList();
        return new VersionsPage(versions, page.CommonPrefixes ?? [], page.IsTruncated ?? false, page.NextKeyMarker, page.NextVersionIdMarker);
    }

    public async Task<IReadOnlyDictionary<string, string>> GetObjectVersionTaggingAsync(string bucket, string key, string versionId, CancellationToken ct)
    {
        var response = await CallAsync(bucket, key, t => _client.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = key, VersionId = versionId }, t), ct);
        return FromSdk(response.Tagging);
    }

    public Task PutObjectVersionTaggingAsync(string bucket, string key, string versionId, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        CallAsync(bucket, key, t => _client.PutObjectTaggingAsync(new PutObjectTaggingRequest
        {
            BucketName = bucket, Key = key, VersionId = versionId, Tagging = new Tagging { TagSet = ToSdk(tags) ?? [] },
        }, t), ct);
}
