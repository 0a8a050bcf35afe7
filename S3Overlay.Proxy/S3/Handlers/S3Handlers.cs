using System.Text;
using S3Overlay.Configuration;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;

namespace S3Overlay.S3.Handlers;

/// <summary>
/// The S3 operations, split by family into partial files (Garnet style). Each handler reads the
/// request, calls the store, and writes the S3 response.
/// </summary>
internal sealed partial class S3Handlers(IObjectStore store, ServerSettings settings, Cors.BucketCorsRules corsRules,
    Policies.BucketPolicies bucketPolicies, Policies.RequestAuthorizer authorizer,
    Lifecycle.BucketLifecycles lifecycles, Acl.BucketAcls bucketAcls, Acl.NewObjectAcls newObjectAcls, Acl.BucketPublicAccessBlocks publicAccessBlocks,
    Auth.AuthSettings auth)
{
    /// <summary>S3's limit on a key, in UTF-8 bytes.</summary>
    internal const int MaxKeyBytes = 1024;

    /// <summary>The key of a request that creates an object, refused when S3 would refuse it.</summary>
    private static string KeyToWrite(S3Request r)
    {
        var key = r.Key;
        if (Encoding.UTF8.GetByteCount(key) > MaxKeyBytes) throw new S3Exception(S3Error.KeyTooLongError, key);
        return key;
    }
}
