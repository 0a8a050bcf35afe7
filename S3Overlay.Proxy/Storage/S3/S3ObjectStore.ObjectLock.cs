using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Storage.Errors;
using Lock = S3Overlay.Storage.ObjectLock;
using S3Overlay.Storage.Versions;

namespace S3Overlay.Storage.S3;

/// <summary>
/// Object Lock is the server's own, passed through: its buckets' configurations, the locks of its
/// versions (written with each write, read from its answers), and its refusals, which are told to
/// the client as the server gave them (a locked version's AccessDenied, an InvalidBucketState).
/// </summary>
internal sealed partial class S3ObjectStore
{
    /// <summary>The refusals of lock requests a client is owed as they are; every other answer is translated as usual.</summary>
    private static readonly Dictionary<string, StorageFault> LockRefusals = new(StringComparer.Ordinal)
    {
        ["AccessDenied"] = StorageFault.AccessDenied,
        ["InvalidBucketState"] = StorageFault.WrongBucketState,
        ["InvalidRequest"] = StorageFault.InvalidRequest,
        ["InvalidRetentionPeriod"] = StorageFault.InvalidRetentionPeriod,
        ["ObjectLockConfigurationNotFoundError"] = StorageFault.LockConfigurationNotFound,
        ["NoSuchObjectLockConfiguration"] = StorageFault.RetentionNotFound,
        ["MalformedXML"] = StorageFault.MalformedDocument,
        ["InvalidArgument"] = StorageFault.InvalidArgument,
        ["NotImplemented"] = StorageFault.NotSupported,
    };

    public async Task<Lock.ObjectLockConfiguration?> GetObjectLockConfigurationAsync(string bucket, CancellationToken ct)
    {
        GetObjectLockConfigurationResponse response;
        try
        {
            response = await LockCallAsync(bucket, null, t => _client.GetObjectLockConfigurationAsync(new GetObjectLockConfigurationRequest { BucketName = bucket }, t), ct);
        }
        // A server without Object Lock (s3rver answers 501) has no bucket with it: every write asks, and must not fail for it.
        catch (StorageException e) when (e.Fault == StorageFault.LockConfigurationNotFound || e.Fault == StorageFault.NotSupported)
        {
            return null;
        }
        var configuration = response.ObjectLockConfiguration;
        if (configuration?.ObjectLockEnabled != ObjectLockEnabled.Enabled) return null;
        return configuration.Rule?.DefaultRetention is { } retention
            ? new Lock.ObjectLockConfiguration(new Lock.DefaultRetention(retention.Mode?.Value ?? Lock.RetentionModes.Governance, retention.Days is > 0 ? retention.Days : null, retention.Years is > 0 ? retention.Years : null))
            : Lock.ObjectLockConfiguration.Enabled;
    }

    public Task PutObjectLockConfigurationAsync(string bucket, Lock.ObjectLockConfiguration configuration, CancellationToken ct) =>
        LockCallAsync(bucket, null, t => _client.PutObjectLockConfigurationAsync(new PutObjectLockConfigurationRequest
        {
            BucketName = bucket,
            ObjectLockConfiguration = new Amazon.S3.Model.ObjectLockConfiguration
            {
                ObjectLockEnabled = ObjectLockEnabled.Enabled,
                Rule = configuration.Rule is { } rule
                    ? new ObjectLockRule { DefaultRetention = new Amazon.S3.Model.DefaultRetention { Mode = new ObjectLockRetentionMode(rule.Mode), Days = rule.Days, Years = rule.Years } }
                    : null,
            },
        }, t), ct);

    public Task PutObjectRetentionAsync(string bucket, string key, string? versionId, Lock.ObjectRetention? retention, bool bypassGovernance, CancellationToken ct) =>
        LockCallAsync(bucket, key, t => _client.PutObjectRetentionAsync(new PutObjectRetentionRequest
        {
            BucketName = bucket, Key = key, VersionId = versionId, BypassGovernanceRetention = bypassGovernance ? true : null,
            Retention = retention is null ? new ObjectLockRetention()
                : new ObjectLockRetention { Mode = new ObjectLockRetentionMode(retention.Mode), RetainUntilDate = retention.RetainUntil.UtcDateTime },
        }, t), ct);

    public Task PutObjectLegalHoldAsync(string bucket, string key, string? versionId, bool on, CancellationToken ct) =>
        LockCallAsync(bucket, key, t => _client.PutObjectLegalHoldAsync(new PutObjectLegalHoldRequest
        {
            BucketName = bucket, Key = key, VersionId = versionId,
            LegalHold = new ObjectLockLegalHold { Status = on ? ObjectLockLegalHoldStatus.On : ObjectLockLegalHoldStatus.Off },
        }, t), ct);

    public async Task<DeletedVersion> DeleteObjectVersionAsync(string bucket, string key, string? versionId, ObjectDelete delete, CancellationToken ct)
    {
        var ifMatch = delete.IfMatch is { } etag ? await ServerDeleteConditionAsync(bucket, key, versionId, etag, ct) : null;
        if (delete.IfMatch is not null && ifMatch is null) return new DeletedVersion(versionId, false); // a version that does not exist: nothing to delete, as without the condition
        var response = await LockCallAsync(bucket, key, t => _client.DeleteObjectAsync(new DeleteObjectRequest
        {
            BucketName = bucket, Key = key, VersionId = versionId, BypassGovernanceRetention = delete.BypassGovernance ? true : null, IfMatch = ifMatch,
        }, t), ct);
        var marker = string.Equals(response.DeleteMarker, "true", StringComparison.OrdinalIgnoreCase);
        return response.VersionId is { Length: > 0 } id ? new DeletedVersion(id, marker) : versionId is null ? DeletedVersion.Unversioned : new DeletedVersion(versionId, marker);
    }

    /// <summary>
    /// A delete's If-Match as the server must check it, as a write's (<see cref="ServerConditionAsync"/>):
    /// checked here against the object (or the version) as the seam describes it, whose ETag may be
    /// a preserved one, then sent as the ETag the server knows it by. A server that checks it (S3
    /// since September 2025, MinIO) refuses an object written in between; one that ignores it
    /// leaves only the time between this look and the delete.
    /// </summary>
    /// <returns>Null for a version that does not exist.</returns>
    private async Task<string?> ServerDeleteConditionAsync(string bucket, string key, string? versionId, string etag, CancellationToken ct)
    {
        try
        {
            return await ServerETagMatchingAsync(bucket, key, etag, ct, versionId);
        }
        catch (StorageException e) when (versionId is not null && e.Fault == StorageFault.DeleteMarkerVersion)
        {
            throw new StorageException(StorageFault.PreconditionFailed, key, inner: e); // a delete marker has no ETag to match
        }
        catch (StorageException e) when (versionId is not null && e.IsMissing && e.Fault != StorageFault.BucketNotFound)
        {
            return null;
        }
    }

    /// <summary>The lock a write gives its version, as the server's write headers.</summary>
    private static void ApplyLock(ObjectMetadata metadata, Action<ObjectLockMode, DateTime> retain, Action<ObjectLockLegalHoldStatus> hold)
    {
        if (metadata.Retention is { } retention) retain(new ObjectLockMode(retention.Mode), retention.RetainUntil.UtcDateTime);
        if (metadata.LegalHold) hold(ObjectLockLegalHoldStatus.On);
    }

    /// <remarks>Caught inside the call: the usual translation makes every 404 without a key a NoSuchBucket.</remarks>
    private Task<T> LockCallAsync<T>(string bucket, string? key, Func<CancellationToken, Task<T>> call, CancellationToken ct) =>
        CallAsync(bucket, key, async t =>
        {
            try
            {
                return await call(t);
            }
            catch (AmazonS3Exception answer) when (answer.ErrorCode is { } code && LockRefusals.TryGetValue(code, out var refusal))
            {
                throw new StorageException(refusal, key ?? bucket, string.IsNullOrEmpty(answer.Message) ? null : answer.Message, answer);
            }
        }, ct);
}
