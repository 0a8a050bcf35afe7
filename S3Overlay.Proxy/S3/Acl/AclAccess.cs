using S3Overlay.S3.Auth;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;
using S3Overlay.Storage.Errors;

namespace S3Overlay.S3.Acl;

/// <summary>What a request's ACLs let a caller do when no policy allows it.</summary>
internal enum AclNeed { None, BucketRead, ObjectRead, BucketWrite, BucketReadAcp, BucketWriteAcp, ObjectReadAcp, ObjectWriteAcp }

/// <summary>
/// What ACL grants allow, as S3 decides it: read an object whose ACL grants READ, list a bucket
/// whose ACL does, write into a bucket whose ACL grants WRITE, read and change an ACL that grants
/// READ_ACP and WRITE_ACP (the owner always may); to a user by canonical id, to AllUsers for anyone,
/// to AuthenticatedUsers for a signed caller. A bucket whose ObjectOwnership is BucketOwnerEnforced
/// has no ACLs: only its owner is let in. What is missing is told as S3 tells it: a bucket that does
/// not exist is NoSuchBucket to anyone, a missing key NoSuchKey to those who may list the bucket
/// (AccessDenied to others, who may not learn it).
/// </summary>
internal sealed class AclAccess(IObjectStore store, BucketAcls bucketAcls, BucketPublicAccessBlocks blocks)
{
    private static readonly Dictionary<string, AclNeed> Needs = new(StringComparer.Ordinal)
    {
        ["ListObjects"] = AclNeed.BucketRead, ["ListObjectsV2"] = AclNeed.BucketRead, ["ListObjectVersions"] = AclNeed.BucketRead,
        ["ListMultipartUploads"] = AclNeed.BucketRead, ["HeadBucket"] = AclNeed.BucketRead, ["GetBucketLocation"] = AclNeed.BucketRead,
        ["GetObject"] = AclNeed.ObjectRead, ["HeadObject"] = AclNeed.ObjectRead,
        ["PutObject"] = AclNeed.BucketWrite, ["PostObject"] = AclNeed.BucketWrite, ["CopyObject"] = AclNeed.BucketWrite,
        ["DeleteObject"] = AclNeed.BucketWrite, ["DeleteObjects"] = AclNeed.BucketWrite, ["CreateMultipartUpload"] = AclNeed.BucketWrite,
        ["UploadPart"] = AclNeed.BucketWrite, ["UploadPartCopy"] = AclNeed.BucketWrite, ["CompleteMultipartUpload"] = AclNeed.BucketWrite,
        ["AbortMultipartUpload"] = AclNeed.BucketWrite,
        ["GetBucketAcl"] = AclNeed.BucketReadAcp, ["PutBucketAcl"] = AclNeed.BucketWriteAcp,
        ["GetObjectAcl"] = AclNeed.ObjectReadAcp, ["PutObjectAcl"] = AclNeed.ObjectWriteAcp,
    };

    /// <summary>What an operation needs of the ACLs; None when no ACL grants it.</summary>
    public static AclNeed NeedOf(string operation) => Needs.GetValueOrDefault(operation);

    /// <returns>Whether a grant allows it; throws NoSuchBucket or NoSuchKey where S3 would tell the caller.</returns>
    public async ValueTask<bool> AllowsAsync(AclNeed need, string? bucket, string? key, S3User? caller, CancellationToken ct)
    {
        if (bucket is null) return false;
        try
        {
            var acl = await bucketAcls.GetAsync(bucket, ct); // NoSuchBucket when there is none
            var ignorePublic = (await blocks.GetAsync(bucket, ct)).IgnorePublicAcls;
            if (ignorePublic) acl = acl.WithoutPublicGrants();
            return need switch
            {
                AclNeed.BucketRead => Grants(acl, "READ", caller),
                AclNeed.BucketWrite => Grants(acl, "WRITE", caller),
                AclNeed.BucketReadAcp => acl.IsOwner(caller) || Grants(acl, "READ_ACP", caller),
                AclNeed.BucketWriteAcp => acl.IsOwner(caller) || Grants(acl, "WRITE_ACP", caller),
                AclNeed.ObjectRead or AclNeed.ObjectReadAcp or AclNeed.ObjectWriteAcp => await ObjectAllowsAsync(need, acl, bucket, key!, caller, ignorePublic, ct),
                _ => false,
            };
        }
        catch (Exception caught) when (caught is S3Exception or StorageException { Fault: not (StorageFault.BucketNotFound or StorageFault.ObjectNotFound) })
        {
            // Anything else about the bucket or key tells a caller without rights nothing: AccessDenied.
        }
        return false;
    }

    /// <summary>A grant of the ACL; with ACLs off, the owner's alone.</summary>
    private static bool Grants(AccessControlList acl, string permission, S3User? caller) =>
        acl.AclsEnabled ? acl.Allows(permission, caller) : acl.IsOwner(caller);

    private async Task<bool> ObjectAllowsAsync(AclNeed need, AccessControlList bucketAcl, string bucket, string key, S3User? caller, bool ignorePublic, CancellationToken ct)
    {
        ObjectInfo info;
        try
        {
            info = await store.HeadObjectAsync(bucket, key, ReadConditions.None, ct);
        }
        catch (StorageException e) when (e.Fault == StorageFault.ObjectNotFound)
        {
            if (Grants(bucketAcl, "READ", caller)) throw;
            return false;
        }
        if (!bucketAcl.AclsEnabled) return bucketAcl.IsOwner(caller);
        var acl = AccessControlList.Parse(info.Metadata.Acl, bucketAcl.Owner);
        if (ignorePublic) acl = acl.WithoutPublicGrants();
        return need switch
        {
            AclNeed.ObjectRead => acl.Allows("READ", caller),
            AclNeed.ObjectReadAcp => acl.IsOwner(caller) || acl.Allows("READ_ACP", caller),
            _ => acl.IsOwner(caller) || acl.Allows("WRITE_ACP", caller),
        };
    }
}

/// <summary>The names of the bucket settings the front end keeps through the store.</summary>
internal static class BucketSettings
{
    public const string Acl = "acl";
    public const string Cors = "cors";
    public const string Policy = "policy";
    public const string Tagging = "tagging";
    public const string Lifecycle = "lifecycle";
    public const string PublicAccessBlock = "publicAccessBlock";
    public const string Notification = "notification";
}
