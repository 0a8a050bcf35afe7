using S3Overlay.S3.Errors;
using S3Overlay.Storage;

namespace S3Overlay.S3.Acl;

/// <summary>What a request's ACLs let a caller do when no policy allows it.</summary>
public enum AclNeed { None, BucketRead, ObjectRead, BucketWrite }

/// <summary>
/// What ACL grants to groups allow, as S3 decides it: read an object whose ACL grants READ, list a
/// bucket whose ACL does, write into a bucket whose ACL grants WRITE; to AllUsers for anyone,
/// to AuthenticatedUsers too for a signed caller. What is missing is told as S3 tells it: a bucket
/// that does not exist is NoSuchBucket to anyone, a missing key NoSuchKey to those who may list the
/// bucket (AccessDenied to others, who may not learn it).
/// </summary>
public sealed class AclAccess(IObjectStore store)
{
    private static readonly HashSet<string> BucketReads = ["ListObjects", "ListObjectsV2", "HeadBucket", "GetBucketLocation"];
    private static readonly HashSet<string> ObjectReads = ["GetObject", "HeadObject"];
    private static readonly HashSet<string> BucketWrites =
        ["PutObject", "PostObject", "DeleteObject", "DeleteObjects", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload", "AbortMultipartUpload"];

    /// <summary>What an operation needs of the ACLs; None when no ACL grants it.</summary>
    public static AclNeed NeedOf(string operation) =>
        BucketReads.Contains(operation) ? AclNeed.BucketRead
        : ObjectReads.Contains(operation) ? AclNeed.ObjectRead
        : BucketWrites.Contains(operation) ? AclNeed.BucketWrite
        : AclNeed.None;

    /// <returns>Whether a grant allows it; throws NoSuchBucket or NoSuchKey where S3 would tell the caller.</returns>
    public async ValueTask<bool> AllowsAsync(AclNeed need, string? bucket, string? key, bool signed, CancellationToken ct)
    {
        if (bucket is null) return false;
        try
        {
            switch (need)
            {
                case AclNeed.BucketRead: return (await BucketAclAsync(bucket, ct)).AllowsGroup("READ", signed);
                case AclNeed.BucketWrite: return (await BucketAclAsync(bucket, ct)).AllowsGroup("WRITE", signed);
                case AclNeed.ObjectRead: return await ObjectReadableAsync(bucket, key!, signed, ct);
            }
            if (await store.GetBucketAsync(bucket, ct) is null) throw S3Exception.NoSuchBucket(bucket);
        }
        catch (S3Exception e) when (e.Error.Code != S3Error.NoSuchBucket.Code && e.Error.Code != S3Error.NoSuchKey.Code)
        {
            // Anything else about the bucket or key tells a caller without rights nothing: AccessDenied.
        }
        return false;
    }

    private async Task<bool> ObjectReadableAsync(string bucket, string key, bool signed, CancellationToken ct)
    {
        ObjectInfo info;
        try
        {
            info = await store.HeadObjectAsync(bucket, key, ReadConditions.None, ct);
        }
        catch (S3Exception e) when (e.Error.Code == S3Error.NoSuchKey.Code)
        {
            if ((await BucketAclAsync(bucket, ct)).AllowsGroup("READ", signed)) throw;
            return false;
        }
        return AccessControlList.Parse(info.Metadata.Acl).AllowsGroup("READ", signed);
    }

    private async Task<AccessControlList> BucketAclAsync(string bucket, CancellationToken ct) =>
        AccessControlList.Parse(await store.GetBucketSettingAsync(bucket, BucketSettings.Acl, ct));
}

/// <summary>The names of the bucket settings the front end keeps through the store.</summary>
public static class BucketSettings
{
    public const string Acl = "acl";
    public const string Cors = "cors";
    public const string Policy = "policy";
    public const string Tagging = "tagging";
    public const string Lifecycle = "lifecycle";
}
