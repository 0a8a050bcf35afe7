using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Checksums;
using S3Overlay.S3.Errors;
using S3Overlay.S3.ObjectLock;
using S3Overlay.Storage.ObjectLock;
using S3Overlay.S3.Xml;
using S3Overlay.Storage;

namespace S3Overlay.S3.Handlers;

/// <summary>
/// Object Lock: the bucket's configuration (<c>?object-lock</c>), a version's retention
/// (<c>?retention</c>) and legal hold (<c>?legal-hold</c>), and the lock a write gives the version it makes.
/// </summary>
internal sealed partial class S3Handlers
{
    private readonly ObjectLockConfigurations _objectLocks = new(store, TimeProvider.System);

    /// <summary>The lock documents are a few hundred bytes.</summary>
    private const int MaxObjectLockBytes = 16 * 1024;

    public const string ObjectLockEnabledHeader = "x-amz-bucket-object-lock-enabled";

    public async Task GetObjectLockConfiguration(S3Request r)
    {
        var configuration = await store.GetObjectLockConfigurationAsync(r.Bucket, r.Aborted)
            ?? (await store.GetBucketAsync(r.Bucket, r.Aborted) is null
                ? throw S3Exception.NoSuchBucket(r.Bucket)
                : throw new S3Exception(S3Error.ObjectLockConfigurationNotFound, r.Bucket));
        await S3XmlResponse.WriteAsync(r.Response, "ObjectLockConfiguration", xml => ObjectLockXml.WriteConfigurationAsync(xml, configuration));
    }

    public async Task PutObjectLockConfiguration(S3Request r)
    {
        RequiredChecksum.Demand(r.Request);
        var configuration = ObjectLockXml.ConfigurationFrom(await S3XmlRequest.ReadAsync(r, MaxObjectLockBytes));
        await store.PutObjectLockConfigurationAsync(r.Bucket, configuration, r.Aborted);
        _objectLocks.Forget(r.Bucket);
        r.Response.StatusCode = StatusCodes.Status200OK;
        r.Response.ContentLength = 0;
    }

    public async Task GetObjectRetention(S3Request r)
    {
        await RequireObjectLockAsync(r);
        var info = await HeadAsync(r, ReadConditions.None);
        var retention = info.Metadata.Retention ?? throw new S3Exception(S3Error.NoSuchObjectLockConfiguration, r.Key);
        await S3XmlResponse.WriteAsync(r.Response, "Retention", xml => ObjectLockXml.WriteRetentionAsync(xml, retention));
    }

    public async Task PutObjectRetention(S3Request r)
    {
        RequiredChecksum.Demand(r.Request);
        var retention = ObjectLockXml.RetentionFrom(await S3XmlRequest.ReadAsync(r, MaxObjectLockBytes));
        if (retention is not null) ObjectLockRules.CheckNew(retention, TimeProvider.System.GetUtcNow());
        await store.PutObjectRetentionAsync(r.Bucket, r.Key, VersionIdOf(r), retention, await BypassesGovernanceAsync(r, r.Key), r.Aborted);
        r.Response.StatusCode = StatusCodes.Status200OK;
        r.Response.ContentLength = 0;
    }

    public async Task GetObjectLegalHold(S3Request r)
    {
        await RequireObjectLockAsync(r);
        var info = await HeadAsync(r, ReadConditions.None);
        await S3XmlResponse.WriteAsync(r.Response, "LegalHold", xml => xml.ElementAsync("Status", info.Metadata.LegalHold ? "ON" : "OFF"));
    }

    public async Task PutObjectLegalHold(S3Request r)
    {
        RequiredChecksum.Demand(r.Request);
        var on = ObjectLockXml.LegalHoldFrom(await S3XmlRequest.ReadAsync(r, MaxObjectLockBytes));
        await store.PutObjectLegalHoldAsync(r.Bucket, r.Key, VersionIdOf(r), on, r.Aborted);
        r.Response.StatusCode = StatusCodes.Status200OK;
        r.Response.ContentLength = 0;
    }

    /// <summary>CreateBucket's <c>x-amz-bucket-object-lock-enabled: true</c>.</summary>
    private static bool AsksObjectLock(S3Request r) =>
        string.Equals(r.Request.Headers[ObjectLockEnabledHeader].ToString().Trim(), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Versioning cannot be suspended on a bucket with Object Lock (409, as S3).</summary>
    private async Task RefuseSuspendingLockedAsync(S3Request r)
    {
        if (await store.GetObjectLockConfigurationAsync(r.Bucket, r.Aborted) is not null)
            throw new S3Exception(S3Error.InvalidBucketState.WithMessage("An Object Lock configuration is present on this bucket, so the versioning state cannot be changed."), r.Bucket);
    }

    /// <summary>
    /// The metadata of a version a write makes, with its lock: the write's own lock headers, else
    /// the bucket's default retention; never a copy source's lock. Lock headers in a bucket without
    /// Object Lock are refused, and a body that will be locked must carry a Content-MD5 or a
    /// checksum, as S3 requires of such writes.
    /// </summary>
    private async Task<ObjectMetadata> WithObjectLockAsync(S3Request r, ObjectMetadata metadata, bool body)
    {
        var named = ObjectLockHeaders.Present(r.Request);
        var retention = ObjectLockHeaders.Retention(r.Request);
        var legalHold = ObjectLockHeaders.LegalHoldOf(r.Request);
        var configuration = await _objectLocks.OfAsync(r.Bucket, r.Aborted);
        if (configuration is null)
        {
            if (named) throw ObjectLockRules.NotALockBucket();
            return metadata.Retention is null && !metadata.LegalHold ? metadata : metadata with { Retention = null, LegalHold = false };
        }
        var now = TimeProvider.System.GetUtcNow();
        if (retention is not null) ObjectLockRules.CheckNew(retention, now);
        retention ??= configuration.Rule?.From(now);
        if (body && (retention is not null || legalHold == true)) RequiredChecksum.Demand(r.Request);
        return metadata with { Retention = retention, LegalHold = legalHold ?? false };
    }

    /// <summary>Whether the request bypasses GOVERNANCE retention: it asks to, and its caller may (<c>s3:BypassGovernanceRetention</c>).</summary>
    private async Task<bool> BypassesGovernanceAsync(S3Request r, string key) =>
        ObjectLockHeaders.AsksBypass(r.Request)
        && await authorizer.AllowsAsync(r, Policies.S3Actions.BypassGovernanceRetention, r.Bucket, key, Acl.AclNeed.None);

    private async Task RequireObjectLockAsync(S3Request r)
    {
        if (await store.GetObjectLockConfigurationAsync(r.Bucket, r.Aborted) is null) throw ObjectLockRules.NotALockBucket();
    }
}
