using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Checksums;
using S3Overlay.S3.Http;
using S3Overlay.Signing;
using S3Overlay.S3.Xml;
using S3Overlay.Storage;

namespace S3Overlay.S3.PostObject;

/// <summary>
/// What a browser upload answers once the object is stored, as the form asks: a 303 to
/// <c>success_action_redirect</c> (with bucket, key and ETag in its query), else
/// <c>success_action_status</c> 200 or 201 (the PostResponse document), else 204.
/// </summary>
internal static class PostAnswer
{
    public static async Task WriteAsync(S3Request r, PostForm form, string key, ObjectInfo info)
    {
        var response = r.Response;
        response.Headers.ETag = info.ETag;
        var location = ObjectUrl(r, key);
        response.Headers.Location = location;
        ChecksumHeaders.Write(response, info.Metadata.Checksums);
        ServerSideEncryption.WriteHeaders(response, info.Metadata.Encryption);

        // Only a web address: a javascript: or data: "redirect" is not followed (S3 too answers with the status then).
        var redirect = form.Field("success_action_redirect") ?? form.Field("redirect");
        if (redirect is not null && Uri.TryCreate(redirect, UriKind.Absolute, out var target) && target.Scheme is "http" or "https")
        {
            var query = $"bucket={Uri.EscapeDataString(r.Bucket)}&key={Uri.EscapeDataString(key)}&etag={Uri.EscapeDataString(info.ETag)}";
            response.StatusCode = StatusCodes.Status303SeeOther;
            response.Headers.Location = redirect + (string.IsNullOrEmpty(target.Query) ? "?" : "&") + query;
            response.ContentLength = 0;
            return;
        }
        switch (form.Field("success_action_status"))
        {
            case "201":
                // S3's PostResponse is in no namespace (unlike its other answers): a reader that
                // looks for <Key> by its bare name finds it only so.
                await S3XmlResponse.WriteAsync(response, "PostResponse", xmlNamespace: null, async xml =>
                {
                    await xml.ElementAsync("Location", location);
                    await xml.ElementAsync("Bucket", r.Bucket);
                    await xml.ElementAsync("Key", key);
                    await xml.ElementAsync("ETag", info.ETag);
                }, StatusCodes.Status201Created);
                break;
            case "200":
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentLength = 0;
                break;
            default:
                response.StatusCode = StatusCodes.Status204NoContent;
                break;
        }
    }

    /// <summary>Where the new object is read from, addressed as the upload was (path-style or virtual-hosted).</summary>
    private static string ObjectUrl(S3Request r, string key)
    {
        var request = r.Request;
        var path = SigV4.UriEncode(key, keepSlash: true);
        return r.Address.VirtualHosted
            ? $"{request.Scheme}://{request.Host}{request.PathBase}/{path}"
            : $"{request.Scheme}://{request.Host}{request.PathBase}/{SigV4.UriEncode(r.Bucket)}/{path}";
    }
}
