using S3Overlay.S3.Handlers;
using static S3Overlay.S3.Routing.Match;

namespace S3Overlay.S3.Routing;

/// <summary>
/// Every S3 operation the server answers, in one table (as MinIO's api-router.go). The first row
/// that matches wins, so the rows with more specific matchers come first.
/// </summary>
internal sealed class S3RouteTable(S3Handlers h, PostObject.PostObjectUpload post, Notifications.NotificationHandlers n)
{
    private readonly S3Route[] _routes =
    [
        // Service
        new("GET", S3Scope.Service, "ListBuckets", h.ListBuckets),

        // Bucket
        new("GET", S3Scope.Bucket, "GetBucketAcl", h.GetBucketAcl, Query("acl")),
        new("PUT", S3Scope.Bucket, "PutBucketAcl", h.PutBucketAcl, Query("acl")),
        new("GET", S3Scope.Bucket, "GetBucketCors", h.GetBucketCors, Query("cors")),
        new("PUT", S3Scope.Bucket, "PutBucketCors", h.PutBucketCors, Query("cors")),
        new("DELETE", S3Scope.Bucket, "DeleteBucketCors", h.DeleteBucketCors, Query("cors")),
        new("GET", S3Scope.Bucket, "GetBucketEncryption", h.GetBucketEncryption, Query("encryption")),
        new("PUT", S3Scope.Bucket, "PutBucketEncryption", h.PutBucketEncryption, Query("encryption")),
        new("DELETE", S3Scope.Bucket, "DeleteBucketEncryption", h.DeleteBucketEncryption, Query("encryption")),
        new("GET", S3Scope.Bucket, "GetBucketPolicy", h.GetBucketPolicy, Query("policy")),
        new("PUT", S3Scope.Bucket, "PutBucketPolicy", h.PutBucketPolicy, Query("policy")),
        new("DELETE", S3Scope.Bucket, "DeleteBucketPolicy", h.DeleteBucketPolicy, Query("policy")),
        new("GET", S3Scope.Bucket, "GetBucketPolicyStatus", h.GetBucketPolicyStatus, Query("policyStatus")),
        new("GET", S3Scope.Bucket, "GetBucketTagging", h.GetBucketTagging, Query("tagging")),
        new("PUT", S3Scope.Bucket, "PutBucketTagging", h.PutBucketTagging, Query("tagging")),
        new("DELETE", S3Scope.Bucket, "DeleteBucketTagging", h.DeleteBucketTagging, Query("tagging")),
        new("GET", S3Scope.Bucket, "GetBucketLifecycleConfiguration", h.GetBucketLifecycleConfiguration, Query("lifecycle")),
        new("PUT", S3Scope.Bucket, "PutBucketLifecycleConfiguration", h.PutBucketLifecycleConfiguration, Query("lifecycle")),
        new("DELETE", S3Scope.Bucket, "DeleteBucketLifecycle", h.DeleteBucketLifecycle, Query("lifecycle")),
        new("GET", S3Scope.Bucket, "GetBucketNotificationConfiguration", n.GetBucketNotificationConfiguration, Query("notification")),
        new("PUT", S3Scope.Bucket, "PutBucketNotificationConfiguration", n.PutBucketNotificationConfiguration, Query("notification")),
        new("GET", S3Scope.Bucket, "GetBucketOwnershipControls", h.GetBucketOwnershipControls, Query("ownershipControls")),
        new("PUT", S3Scope.Bucket, "PutBucketOwnershipControls", h.PutBucketOwnershipControls, Query("ownershipControls")),
        new("DELETE", S3Scope.Bucket, "DeleteBucketOwnershipControls", h.DeleteBucketOwnershipControls, Query("ownershipControls")),
        new("GET", S3Scope.Bucket, "GetPublicAccessBlock", h.GetPublicAccessBlock, Query("publicAccessBlock")),
        new("PUT", S3Scope.Bucket, "PutPublicAccessBlock", h.PutPublicAccessBlock, Query("publicAccessBlock")),
        new("DELETE", S3Scope.Bucket, "DeletePublicAccessBlock", h.DeletePublicAccessBlock, Query("publicAccessBlock")),
        new("GET", S3Scope.Bucket, "GetBucketLocation", h.GetBucketLocation, Query("location")),
        new("GET", S3Scope.Bucket, "GetBucketVersioning", h.GetBucketVersioning, Query("versioning")),
        new("PUT", S3Scope.Bucket, "PutBucketVersioning", h.PutBucketVersioning, Query("versioning")),
        new("GET", S3Scope.Bucket, "GetObjectLockConfiguration", h.GetObjectLockConfiguration, Query("object-lock")),
        new("PUT", S3Scope.Bucket, "PutObjectLockConfiguration", h.PutObjectLockConfiguration, Query("object-lock")),
        new("GET", S3Scope.Bucket, "ListMultipartUploads", h.ListMultipartUploads, Query("uploads")),
        new("GET", S3Scope.Bucket, "ListObjectVersions", h.ListObjectVersions, Query("versions")),
        new("GET", S3Scope.Bucket, "ListObjectsV2", h.ListObjectsV2, QueryValue("list-type", "2")),
        new("GET", S3Scope.Bucket, "ListObjects", h.ListObjects, Plain),
        new("HEAD", S3Scope.Bucket, "HeadBucket", h.HeadBucket, Plain),
        new("PUT", S3Scope.Bucket, "CreateBucket", h.CreateBucket, Plain),
        new("DELETE", S3Scope.Bucket, "DeleteBucket", h.DeleteBucket, Plain),
        new("POST", S3Scope.Bucket, "DeleteObjects", h.DeleteObjects, Query("delete")),
        // Any other POST to a bucket is a browser upload; one that is not multipart/form-data is refused there, as S3 does.
        new("POST", S3Scope.Bucket, PostObject.PostObjectUpload.Operation, post.HandleAsync),

        // Object
        new("GET", S3Scope.Object, "GetObjectAcl", h.GetObjectAcl, Query("acl")),
        new("PUT", S3Scope.Object, "PutObjectAcl", h.PutObjectAcl, Query("acl")),
        new("GET", S3Scope.Object, "GetObjectTagging", h.GetObjectTagging, Query("tagging")),
        new("PUT", S3Scope.Object, "PutObjectTagging", h.PutObjectTagging, Query("tagging")),
        new("DELETE", S3Scope.Object, "DeleteObjectTagging", h.DeleteObjectTagging, Query("tagging")),
        new("GET", S3Scope.Object, "GetObjectRetention", h.GetObjectRetention, Query("retention")),
        new("PUT", S3Scope.Object, "PutObjectRetention", h.PutObjectRetention, Query("retention")),
        new("GET", S3Scope.Object, "GetObjectLegalHold", h.GetObjectLegalHold, Query("legal-hold")),
        new("PUT", S3Scope.Object, "PutObjectLegalHold", h.PutObjectLegalHold, Query("legal-hold")),
        new("GET", S3Scope.Object, "GetObjectAttributes", h.GetObjectAttributes, Query("attributes")),
        new("GET", S3Scope.Object, "GetObjectTorrent", h.GetObjectTorrent, Query("torrent")),
        new("GET", S3Scope.Object, "ListParts", h.ListParts, Query("uploadId")),
        new("GET", S3Scope.Object, "GetObject", h.GetObject, Plain),
        new("HEAD", S3Scope.Object, "HeadObject", h.HeadObject, Plain),
        new("PUT", S3Scope.Object, "UploadPartCopy", h.UploadPartCopy, Query("partNumber"), Query("uploadId"), Header("x-amz-copy-source")),
        new("PUT", S3Scope.Object, "UploadPart", h.UploadPart, Query("partNumber"), Query("uploadId")),
        new("PUT", S3Scope.Object, "CopyObject", h.CopyObject, Header("x-amz-copy-source"), Plain),
        new("PUT", S3Scope.Object, "PutObject", h.PutObject, Plain),
        new("POST", S3Scope.Object, "CreateMultipartUpload", h.CreateMultipartUpload, Query("uploads")),
        new("POST", S3Scope.Object, "CompleteMultipartUpload", h.CompleteMultipartUpload, Query("uploadId")),
        new("DELETE", S3Scope.Object, "AbortMultipartUpload", h.AbortMultipartUpload, Query("uploadId")),
        new("DELETE", S3Scope.Object, "DeleteObject", h.DeleteObject, Plain),
    ];

    /// <summary>The plain rows match only a request naming no sub-resource (see <see cref="OperationQueries"/>).</summary>
    private static readonly RequestMatcher Plain = OperationQueries.NoneIn;

    /// <summary>Sub-resources we do not implement: answered NotImplemented rather than mistaken for a plain GET/PUT.</summary>
    private static readonly string[] Unsupported =
        ["website", "replication",
         "logging", "restore", "select", "accelerate",
         "requestPayment", "analytics", "inventory", "metrics", "intelligent-tiering"];

    /// <summary>Sub-resources answered on objects only (buckets have no attributes or torrents).</summary>
    private static readonly string[] ObjectOnly = ["attributes", "torrent", "retention", "legal-hold"];

    /// <summary>Sub-resources answered on buckets only.</summary>
    private static readonly string[] BucketOnly = ["cors", "policy", "policyStatus", "lifecycle", "notification", "versions", "encryption", "object-lock", "ownershipControls", "publicAccessBlock"];

    public S3Route? Find(Microsoft.AspNetCore.Http.HttpRequest request, S3Scope scope)
    {
        // Most requests (every GET of an object) name no sub-resource: then none of these can match.
        if (!OperationQueries.NoneIn(request) && !Routable(request, scope)) return null;
        foreach (var route in _routes)
            if (route.Matches(request, scope)) return route;
        return null;
    }

    private static bool Routable(Microsoft.AspNetCore.Http.HttpRequest request, S3Scope scope)
    {
        foreach (var name in Unsupported)
            if (request.Query.ContainsKey(name)) return false;
        foreach (var name in ObjectOnly)
            if (scope != S3Scope.Object && request.Query.ContainsKey(name)) return false;
        foreach (var name in BucketOnly)
            if (scope != S3Scope.Bucket && request.Query.ContainsKey(name)) return false;
        return true;
    }

    public IReadOnlyList<S3Route> Routes => _routes;
}
