using S3Overlay.S3.Errors;
using S3Overlay.S3.Http;

namespace S3Overlay.S3.Acl;

/// <summary>
/// <c>x-amz-expected-bucket-owner</c> (and <c>x-amz-source-expected-bucket-owner</c> for a copy's
/// source): a request that names another owner than the bucket's is refused with 403
/// AccessDenied, as S3 refuses it, signed or not. A bucket that does not exist is left to the
/// handler, which tells NoSuchBucket.
/// </summary>
internal static class ExpectedBucketOwner
{
    public static async ValueTask CheckAsync(S3Request r, BucketAcls acls)
    {
        var headers = r.Request.Headers;
        if (headers.TryGetValue("x-amz-expected-bucket-owner", out var expected) && r.Address.Bucket is { } bucket)
            await CheckAsync(bucket, expected.ToString(), acls, r.Aborted);
        if (headers.TryGetValue("x-amz-source-expected-bucket-owner", out var expectedSource) && headers.ContainsKey("x-amz-copy-source"))
            await CheckAsync(CopySource.Parse(headers["x-amz-copy-source"].ToString()).Bucket, expectedSource.ToString(), acls, r.Aborted);
    }

    private static async ValueTask CheckAsync(string bucket, string expected, BucketAcls acls, CancellationToken ct)
    {
        if (await acls.OwnerOrNullAsync(bucket, ct) is { } owner && owner != expected) throw new S3Exception(S3Error.AccessDenied);
    }
}
