using System.Collections.Frozen;

namespace S3Overlay.S3.Policies;

/// <summary>What an action acts on, as the Service Authorization Reference lists it.</summary>
internal enum ActionTarget { Service, Bucket, Object }

/// <summary>
/// The IAM actions a policy may name (S3's, and the one of this server's admin API), and the
/// action each S3 operation asks for: one table, which docs/security.md reproduces. A policy pattern
/// naming none of these is "Policy has invalid action", as on S3.
/// </summary>
internal static class S3Actions
{
    /// <summary>The overlay's admin API (<c>/_overlay/api/</c>) on a bucket: granted by <c>admin:*</c>, never by <c>s3:*</c>.</summary>
    public const string AdminApi = "admin:OverlayApi";

    public const string ListAllMyBuckets = "s3:ListAllMyBuckets";
    public const string ListBucket = "s3:ListBucket";
    public const string GetObject = "s3:GetObject";
    public const string PutObject = "s3:PutObject";
    public const string DeleteObject = "s3:DeleteObject";
    public const string PutObjectAcl = "s3:PutObjectAcl";
    public const string PutObjectTagging = "s3:PutObjectTagging";
    public const string PutBucketAcl = "s3:PutBucketAcl";
    public const string BypassGovernanceRetention = "s3:BypassGovernanceRetention";

    /// <summary>Each routed operation's action. DeleteObjects and PostObject are judged per key by their handlers (<see cref="PerKey"/>).</summary>
    public static readonly FrozenDictionary<string, string> ByOperation = new Dictionary<string, string>
    {
        ["ListBuckets"] = ListAllMyBuckets,
        ["GetBucketAcl"] = "s3:GetBucketAcl",
        ["PutBucketAcl"] = PutBucketAcl,
        ["GetBucketCors"] = "s3:GetBucketCORS",
        ["PutBucketCors"] = "s3:PutBucketCORS",
        ["DeleteBucketCors"] = "s3:PutBucketCORS",
        ["GetBucketEncryption"] = "s3:GetEncryptionConfiguration",
        ["PutBucketEncryption"] = "s3:PutEncryptionConfiguration",
        ["DeleteBucketEncryption"] = "s3:PutEncryptionConfiguration", // S3 has no DeleteEncryptionConfiguration action
        ["GetBucketPolicy"] = "s3:GetBucketPolicy",
        ["PutBucketPolicy"] = "s3:PutBucketPolicy",
        ["DeleteBucketPolicy"] = "s3:DeleteBucketPolicy",
        ["GetBucketPolicyStatus"] = "s3:GetBucketPolicyStatus",
        ["GetBucketTagging"] = "s3:GetBucketTagging",
        ["GetBucketLifecycleConfiguration"] = "s3:GetLifecycleConfiguration",
        ["PutBucketLifecycleConfiguration"] = "s3:PutLifecycleConfiguration",
        ["DeleteBucketLifecycle"] = "s3:PutLifecycleConfiguration",
        ["PutBucketTagging"] = "s3:PutBucketTagging",
        ["DeleteBucketTagging"] = "s3:PutBucketTagging", // S3 has no DeleteBucketTagging action
        ["GetBucketLocation"] = "s3:GetBucketLocation",
        ["GetPublicAccessBlock"] = "s3:GetBucketPublicAccessBlock",
        ["PutPublicAccessBlock"] = "s3:PutBucketPublicAccessBlock",
        ["DeletePublicAccessBlock"] = "s3:PutBucketPublicAccessBlock", // S3 has no DeleteBucketPublicAccessBlock action
        ["GetBucketNotificationConfiguration"] = "s3:GetBucketNotification",
        ["PutBucketNotificationConfiguration"] = "s3:PutBucketNotification",
        ["GetBucketOwnershipControls"] = "s3:GetBucketOwnershipControls",
        ["PutBucketOwnershipControls"] = "s3:PutBucketOwnershipControls",
        ["DeleteBucketOwnershipControls"] = "s3:PutBucketOwnershipControls", // S3 has no DeleteBucketOwnershipControls action
        ["GetBucketVersioning"] = "s3:GetBucketVersioning",
        ["PutBucketVersioning"] = "s3:PutBucketVersioning",
        ["GetObjectLockConfiguration"] = "s3:GetBucketObjectLockConfiguration",
        ["PutObjectLockConfiguration"] = "s3:PutBucketObjectLockConfiguration",
        ["ListMultipartUploads"] = "s3:ListBucketMultipartUploads",
        ["ListObjectsV2"] = ListBucket,
        ["ListObjects"] = ListBucket,
        ["ListObjectVersions"] = "s3:ListBucketVersions",
        ["HeadBucket"] = ListBucket,
        ["CreateBucket"] = "s3:CreateBucket",
        ["DeleteBucket"] = "s3:DeleteBucket",
        ["DeleteObjects"] = DeleteObject,
        ["PostObject"] = PutObject,
        ["GetObjectAcl"] = "s3:GetObjectAcl",
        ["PutObjectAcl"] = PutObjectAcl,
        ["GetObjectTagging"] = "s3:GetObjectTagging",
        ["PutObjectTagging"] = PutObjectTagging,
        ["DeleteObjectTagging"] = "s3:DeleteObjectTagging",
        ["GetObjectRetention"] = "s3:GetObjectRetention",
        ["PutObjectRetention"] = "s3:PutObjectRetention",
        ["GetObjectLegalHold"] = "s3:GetObjectLegalHold",
        ["PutObjectLegalHold"] = "s3:PutObjectLegalHold",
        ["GetObjectAttributes"] = "s3:GetObjectAttributes",
        ["GetObjectTorrent"] = "s3:GetObjectTorrent",
        ["ListParts"] = "s3:ListMultipartUploadParts",
        ["GetObject"] = GetObject,
        ["HeadObject"] = GetObject,
        ["UploadPartCopy"] = PutObject,
        ["UploadPart"] = PutObject,
        ["CopyObject"] = PutObject,
        ["PutObject"] = PutObject,
        ["CreateMultipartUpload"] = PutObject,
        ["CompleteMultipartUpload"] = PutObject,
        ["AbortMultipartUpload"] = "s3:AbortMultipartUpload",
        ["DeleteObject"] = DeleteObject,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The action an object operation asks for when it names a version (<c>?versionId=</c>), as on S3.</summary>
    public static string OfVersion(string action) => action switch
    {
        GetObject => "s3:GetObjectVersion",
        DeleteObject => "s3:DeleteObjectVersion",
        "s3:GetObjectAcl" => "s3:GetObjectVersionAcl",
        PutObjectAcl => "s3:PutObjectVersionAcl",
        "s3:GetObjectTagging" => "s3:GetObjectVersionTagging",
        PutObjectTagging => "s3:PutObjectVersionTagging",
        "s3:DeleteObjectTagging" => "s3:DeleteObjectVersionTagging",
        _ => action,
    };

    /// <summary>Operations whose keys are in the body (DeleteObjects) or the form (PostObject): the handler asks for each.</summary>
    public static readonly FrozenSet<string> PerKey = new[] { "DeleteObjects", "PostObject" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Every action a policy may name, with what it acts on.</summary>
    public static readonly FrozenDictionary<string, ActionTarget> Known = Catalog().ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static Dictionary<string, ActionTarget> Catalog()
    {
        var catalog = new Dictionary<string, ActionTarget>(StringComparer.OrdinalIgnoreCase) { [ListAllMyBuckets] = ActionTarget.Service, [AdminApi] = ActionTarget.Bucket };
        foreach (var name in (string[])
        [
            "CreateBucket", "DeleteBucket", "ListBucket", "ListBucketVersions", "ListBucketMultipartUploads", "GetBucketLocation",
            "GetBucketAcl", "PutBucketAcl", "GetBucketCORS", "PutBucketCORS", "GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy",
            "GetBucketPolicyStatus", "GetBucketVersioning", "PutBucketVersioning", "GetBucketTagging", "PutBucketTagging",
            "GetLifecycleConfiguration", "PutLifecycleConfiguration", "GetEncryptionConfiguration", "PutEncryptionConfiguration",
            "GetBucketObjectLockConfiguration", "PutBucketObjectLockConfiguration", "GetReplicationConfiguration", "PutReplicationConfiguration",
            "GetBucketNotification", "PutBucketNotification", "GetBucketWebsite", "PutBucketWebsite", "DeleteBucketWebsite",
            "GetBucketLogging", "PutBucketLogging", "GetBucketOwnershipControls", "PutBucketOwnershipControls",
            "GetBucketPublicAccessBlock", "PutBucketPublicAccessBlock", "GetAccelerateConfiguration", "PutAccelerateConfiguration",
            "GetBucketRequestPayment", "PutBucketRequestPayment", "GetInventoryConfiguration", "PutInventoryConfiguration",
            "GetMetricsConfiguration", "PutMetricsConfiguration", "GetAnalyticsConfiguration", "PutAnalyticsConfiguration",
            "GetIntelligentTieringConfiguration", "PutIntelligentTieringConfiguration",
        ]) catalog["s3:" + name] = ActionTarget.Bucket;
        foreach (var name in (string[])
        [
            "GetObject", "GetObjectVersion", "PutObject", "DeleteObject", "DeleteObjectVersion", "GetObjectAcl", "GetObjectVersionAcl",
            "PutObjectAcl", "PutObjectVersionAcl", "GetObjectTagging", "GetObjectVersionTagging", "PutObjectTagging",
            "PutObjectVersionTagging", "DeleteObjectTagging", "DeleteObjectVersionTagging", "GetObjectAttributes",
            "GetObjectVersionAttributes", "GetObjectTorrent", "GetObjectVersionTorrent", "AbortMultipartUpload",
            "ListMultipartUploadParts", "RestoreObject", "GetObjectRetention", "PutObjectRetention", "GetObjectLegalHold",
            "PutObjectLegalHold", "BypassGovernanceRetention", "ReplicateObject", "ReplicateDelete",
        ]) catalog["s3:" + name] = ActionTarget.Object;
        return catalog;
    }
}
