using Microsoft.AspNetCore.Http;
using S3Overlay.Storage.Checksums;
using S3Overlay.S3.Http;

namespace S3Overlay.S3.PostObject;

/// <summary>
/// The form fields S3 turns into the object's headers, as a request of their own: the header
/// readers PutObject uses (content headers, <c>x-amz-meta-*</c>, the canned ACL, checksums,
/// Content-MD5, server-side encryption) then read a browser upload the same way. Only the fields named here get in, so
/// a form cannot smuggle any other header (a copy source, a grant) into the store.
/// </summary>
internal static class PostFormHeaders
{
    private static readonly string[] ContentHeaders = ["Content-Type", "Cache-Control", "Content-Disposition", "Content-Encoding", "Expires", "Content-MD5"];

    public static HttpRequest From(IReadOnlyDictionary<string, string> fields)
    {
        var request = new DefaultHttpContext().Request;
        foreach (var (name, value) in fields)
        {
            if (ContentHeaders.Contains(name, StringComparer.OrdinalIgnoreCase)
                || (name.StartsWith(ObjectHeaders.UserMetadataPrefix, StringComparison.OrdinalIgnoreCase) && name.Length > ObjectHeaders.UserMetadataPrefix.Length)
                || ChecksumAlgorithm.All.Any(a => a.HeaderName.Equals(name, StringComparison.OrdinalIgnoreCase))
                || name.StartsWith(ServerSideEncryption.Header, StringComparison.OrdinalIgnoreCase))
                request.Headers[name] = value;
        }
        if (fields.TryGetValue("acl", out var acl)) request.Headers["x-amz-acl"] = acl;
        return request;
    }
}
