using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Errors;

namespace S3Overlay.S3.Auth;

/// <summary>
/// S3's rule for what a SigV4 signature must cover: <c>host</c> and every <c>x-amz-*</c> header
/// present. Without it, a header added to a presigned URL could pick the operation
/// (<c>x-amz-copy-source</c>), its metadata or its ACL. Other headers, <c>Content-Type</c> among
/// them, may go unsigned as on S3: minio-go (restic, mc), GDAL and curl <c>--aws-sigv4</c> never
/// sign it. An object's type cannot turn it into a page of ours: every object answer carries
/// <c>nosniff</c> and <c>CSP: sandbox</c> (S3Endpoint).
/// </summary>
internal static class UnsignedHeaders
{
    public static void Refuse(HttpRequest request, string[] signedHeaders, bool presigned)
    {
        List<string>? unsigned = null;
        if (!signedHeaders.Contains("host")) (unsigned ??= []).Add("host");
        foreach (var (name, _) in request.Headers) // not Keys: Kestrel makes a list of them for each call
        {
            var lower = name.ToLowerInvariant();
            if (signedHeaders.Contains(lower)) continue;
            var mustBeSigned = lower.StartsWith("x-amz-", StringComparison.Ordinal)
                // A presigned URL's payload is UNSIGNED-PAYLOAD; a hash sent beside it is checked
                // against the body, and S3 lets it go unsigned.
                && !(presigned && lower == "x-amz-content-sha256");
            if (mustBeSigned) (unsigned ??= []).Add(lower);
        }
        if (unsigned is not null)
            throw new S3Exception(S3Error.AccessDenied.WithMessage("There were headers present in the request which were not signed"))
                .With("HeadersNotSigned", string.Join(", ", unsigned));
    }
}
