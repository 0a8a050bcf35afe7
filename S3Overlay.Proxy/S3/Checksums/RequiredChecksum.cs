using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Http;
using S3Overlay.Storage.Checksums;

namespace S3Overlay.S3.Checksums;

/// <summary>
/// The operations whose body S3 will not take unprotected (those its API model marks
/// <c>requestChecksumRequired</c>, such as PutBucketTagging): the request must carry a Content-MD5
/// or an <c>x-amz-checksum-*</c>, as a header or announced as an aws-chunked trailer. A signed
/// payload hash is not enough, as on S3. What is sent is verified while the body is read.
/// </summary>
internal static class RequiredChecksum
{
    public static void Demand(HttpRequest request)
    {
        if (ObjectHeaders.ContentMD5(request) is not null) return;
        foreach (var algorithm in ChecksumAlgorithm.All)
            if (request.Headers[algorithm.HeaderName].ToString().Length > 0) return;
        if (request.Headers["x-amz-trailer"].ToString().Contains("x-amz-checksum-", StringComparison.OrdinalIgnoreCase)) return;
        throw new S3Exception(S3Error.InvalidRequest.WithMessage("Missing required header for this request: Content-MD5 OR x-amz-checksum-*"));
    }
}
