using S3Overlay.S3.Auth;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;

namespace S3Overlay.S3.Acl;

/// <summary>
/// What an unsigned request may do, as S3 decides it: read an object whose ACL lets AllUsers
/// READ, list a bucket whose ACL does, write into a bucket whose ACL lets AllUsers WRITE. Buckets
/// named in <c>S3_OVERLAY_PUBLIC_BUCKETS</c> are readable whatever their ACLs say. What is missing
/// is told as S3 tells it: a bucket that does not exist is NoSuchBucket to anyone, a missing key
/// NoSuchKey to those who may list the bucket (AccessDenied to others, who may not learn it).
/// </summary>
public sealed class AnonymousAccess(IObjectStore store, AuthSettings settings)
{
    private static readonly HashSet<string> BucketReads = ["ListObjects", "ListObjectsV2", "HeadBucket", "GetBucketLocation"];
    private static readonly HashSet<string> ObjectReads = ["GetObject", "HeadObject"];
    private static readonly HashSet<string> BucketWrites =
        ["PutObject", "PostObject", "DeleteObject", "DeleteObjects", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload", "AbortMultipartUpload"];

    /// <returns>Whether the request may go on unsigned; throws NoSuchBucket or NoSuchKey where S3 would tell the caller.</returns>
    public async ValueTask<bool> AllowsAsync(S3Request r)
    {
        if (r.Address.Bucket is not { } bucket) return false;
        var operation = r.Operation;
        if (settings.PublicBuckets.Contains(bucket) && (BucketReads.Contains(operation) || ObjectReads.Contains(operation))) return true;
        try
        {
            if (BucketReads.Contains(operation)) return (await BucketAclAsync(bucket, r.Aborted)).AllowsEveryone("READ");
            if (BucketWrites.Contains(operation)) return (await BucketAclAsync(bucket, r.Aborted)).AllowsEveryone("WRITE");
            if (ObjectReads.Contains(operation)) return await ObjectReadableAsync(bucket, r);
            if (await store.GetBucketAsync(bucket, r.Aborted) is null) throw S3Exception.NoSuchBucket(bucket);
        }
        catch (S3Exception e) when (e.Error.Code != S3Error.NoSuchBucket.Code && e.Error.Code != S3Error.NoSuchKey.Code)
        {
            // Anything else about the bucket or key tells an anonymous caller nothing: AccessDenied.
        }
        return false;
    }

    private async Task<bool> ObjectReadableAsync(string bucket, S3Request r)
    {
        ObjectInfo info;
        try
        {
            info = await store.HeadObjectAsync(bucket, r.Key, ReadConditions.None, r.Aborted);
        }
        catch (S3Exception e) when (e.Error.Code == S3Error.NoSuchKey.Code)
        {
            if ((await BucketAclAsync(bucket, r.Aborted)).AllowsEveryone("READ")) throw;
            return false;
        }
        return AccessControlList.Parse(info.Metadata.Acl).AllowsEveryone("READ");
    }

    private async Task<AccessControlList> BucketAclAsync(string bucket, CancellationToken ct) =>
        AccessControlList.Parse(await store.GetBucketSettingAsync(bucket, BucketSettings.Acl, ct));
}

/// <summary>The names of the bucket settings the front end keeps through the store.</summary>
public static class BucketSettings
{
    public const string Acl = "acl";
    public const string Cors = "cors";
}
