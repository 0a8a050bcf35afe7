using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Errors;

namespace S3Overlay.S3.Acl;

/// <summary>
/// <c>x-amz-expected-bucket-owner</c> (and <c>x-amz-source-expected-bucket-owner</c> for a copy's
/// source): a request that names another owner than the bucket's is refused with 403
/// AccessDenied, as S3 refuses it, signed or not. Every bucket here has the one owner
/// <see cref="S3Owner.Id"/>, the ID that GetBucketAcl and ListBuckets name.
/// </summary>
public static class ExpectedBucketOwner
{
    private static readonly string[] Headers = ["x-amz-expected-bucket-owner", "x-amz-source-expected-bucket-owner"];

    public static void Check(HttpRequest request)
    {
        foreach (var header in Headers)
            if (request.Headers.TryGetValue(header, out var expected) && expected.ToString() != S3Owner.Id)
                throw new S3Exception(S3Error.AccessDenied);
    }
}
