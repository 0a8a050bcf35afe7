using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Checksums;
using S3Overlay.S3.Http;
using S3Overlay.S3.Tagging;
using S3Overlay.Storage;

namespace S3Overlay.S3.Handlers;

public sealed partial class S3Handlers
{
    /// <summary>
    /// Streams the object, or the one byte range asked for (206). A header with several ranges is
    /// answered with the whole object (200), as S3 does.
    /// </summary>
    public async Task GetObject(S3Request r)
    {
        var read = new ObjectReadRequest(ByteRange.Parse(r.Request.Headers.Range), ObjectHeaders.ReadConditions(r.Request));
        await using var content = await store.GetObjectAsync(r.Bucket, r.Key, read, r.Aborted);
        ObjectHeaders.WriteObject(r.Response, content.Info, r.Request.Query);
        ChecksumHeaders.WriteIfRequested(r.Request, r.Response, content.Info, wholeObject: content.Range is null);
        // GET only: S3's HEAD does not tell the tag count.
        if (content.Info.Metadata.Tags.Count > 0) r.Response.Headers[TagSet.CountHeader] = content.Info.Metadata.Tags.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (content.Range is { } range)
        {
            r.Response.StatusCode = StatusCodes.Status206PartialContent;
            r.Response.Headers.ContentRange = range.ContentRange;
        }
        else
        {
            r.Response.StatusCode = StatusCodes.Status200OK;
        }
        await ObjectBody.SendAsync(r.Response, content.Body, content.Length, r.Aborted);
    }

    /// <summary>The object's headers, never a body; 200 even when a Range was sent.</summary>
    public async Task HeadObject(S3Request r)
    {
        var info = await store.HeadObjectAsync(r.Bucket, r.Key, ObjectHeaders.ReadConditions(r.Request), r.Aborted);
        ObjectHeaders.WriteObject(r.Response, info, r.Request.Query);
        ChecksumHeaders.WriteIfRequested(r.Request, r.Response, info);
        r.Response.StatusCode = StatusCodes.Status200OK;
        r.Response.ContentLength = info.Size;
    }

    public async Task PutObject(S3Request r)
    {
        var key = KeyToWrite(r);
        var write = new ObjectWrite
        {
            Metadata = NewObjectMetadata(r),
            ContentLength = ObjectHeaders.ContentLength(r.Request),
            ContentMD5 = ObjectHeaders.ContentMD5(r.Request),
            TrailingChecksums = r.TrailingChecksums,
            OnlyIfAbsent = ObjectHeaders.OnlyIfAbsent(r.Request),
            IfMatch = ObjectHeaders.NullIfEmpty(r.Request.Headers.IfMatch),
        };
        var info = await store.PutObjectAsync(r.Bucket, key, r.Body, write, r.Aborted);
        r.Response.Headers.ETag = info.ETag;
        ChecksumHeaders.Write(r.Response, info.Metadata.Checksums);
        r.Response.StatusCode = StatusCodes.Status200OK;
        r.Response.ContentLength = 0;
    }

    /// <summary>204 whether or not the key existed, as S3 answers.</summary>
    public async Task DeleteObject(S3Request r)
    {
        await store.DeleteObjectAsync(r.Bucket, r.Key, r.Aborted);
        r.Response.StatusCode = StatusCodes.Status204NoContent;
    }
}
