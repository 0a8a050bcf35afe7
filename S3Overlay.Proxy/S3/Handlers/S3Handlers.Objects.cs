using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Checksums;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Http;
using S3Overlay.S3.Parts;
using S3Overlay.S3.Tagging;
using S3Overlay.Storage;
using S3Overlay.Storage.Versions;

namespace S3Overlay.S3.Handlers;

internal sealed partial class S3Handlers
{
    /// <summary>
    /// Streams the object, or the one byte range asked for (206). A header with several ranges is
    /// answered with the whole object (200), as S3 does. With <c>partNumber</c>, one part of it (206).
    /// </summary>
    public async Task GetObject(S3Request r)
    {
        var read = new ObjectReadRequest(ByteRange.Parse(r.Request.Headers.Range), ObjectHeaders.ReadConditions(r.Request));
        var partNumber = PartNumbers.FromQuery(r.Request);
        ObjectInfo? partOf = null;
        if (partNumber is { } n)
        {
            if (read.Range is not null) throw new S3Exception(S3Error.InvalidRequest.WithMessage("Cannot specify both Range header and partNumber query parameter"));
            // The part's bytes come from the parts the object remembers; reading them If-Match its
            // ETag makes sure they are that object's, should it be replaced in between.
            partOf = await HeadAsync(r, read.Conditions);
            ServerSideEncryption.CheckCustomerKey(r.Request, partOf);
            var part = PartNumbers.Range(partOf, n);
            read = new ObjectReadRequest(part.Length > 0 ? new ByteRange(part.Offset, part.Last) : null, new ReadConditions(partOf.ETag, null, null, null));
        }
        read = read.ForClient() with { Via = Overlay.Fleet.PeerMark.Of(r.Request), Encryption = ServerSideEncryption.CustomerKeyOnly(r.Request) };
        var versionId = VersionIdOf(r);
        await using var content = versionId is null
            ? await store.GetObjectAsync(r.Bucket, r.Key, read, r.Aborted)
            : await store.GetObjectVersionAsync(r.Bucket, r.Key, versionId, read, r.Aborted);
        ObjectHeaders.WriteObject(r.Response, content.Info, r.Request.Query);
        WriteChecksums(r, content.Info, partNumber, wholeObject: content.Range is null);
        TagSet.WriteCount(r.Response, content.Info);
        await lifecycles.WriteHeaderAsync(r.Response, r.Bucket, r.Key, content.Info);
        if (partOf is not null)
        {
            PartNumbers.WritePartHeaders(r.Response, partOf, content.Range ?? new ResolvedRange(0, 0, 0));
        }
        else if (content.Range is { } range)
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

    /// <summary>The object's headers, never a body; 200 even when a Range was sent, 206 for a part (<c>partNumber</c>).</summary>
    public async Task HeadObject(S3Request r)
    {
        var partNumber = PartNumbers.FromQuery(r.Request);
        var info = await HeadAsync(r, ObjectHeaders.ReadConditions(r.Request));
        ServerSideEncryption.CheckCustomerKey(r.Request, info);
        ObjectHeaders.WriteObject(r.Response, info, r.Request.Query);
        WriteChecksums(r, info, partNumber, wholeObject: true);
        TagSet.WriteCount(r.Response, info);
        await lifecycles.WriteHeaderAsync(r.Response, r.Bucket, r.Key, info, () => store.GetObjectTaggingAsync(r.Bucket, r.Key, r.Aborted));
        r.Response.StatusCode = StatusCodes.Status200OK;
        r.Response.ContentLength = info.Size;
        if (partNumber is { } n)
        {
            var part = PartNumbers.Range(info, n);
            PartNumbers.WritePartHeaders(r.Response, info, part);
            r.Response.ContentLength = part.Length;
        }
    }

    /// <summary>The object's description, or its version's (<c>?versionId=</c>).</summary>
    private Task<ObjectInfo> HeadAsync(S3Request r, ReadConditions conditions) => VersionIdOf(r) is { } versionId
        ? store.HeadObjectVersionAsync(r.Bucket, r.Key, versionId, conditions, r.Aborted)
        : store.HeadObjectAsync(r.Bucket, r.Key, conditions, r.Aborted);

    /// <summary>
    /// Checksums when asked for (<c>x-amz-checksum-mode</c>): the object's, or with <c>partNumber</c>
    /// the part's own, which describe exactly the bytes sent.
    /// </summary>
    private static void WriteChecksums(S3Request r, ObjectInfo info, int? partNumber, bool wholeObject)
    {
        if (partNumber is not { } n) ChecksumHeaders.WriteIfRequested(r.Request, r.Response, info, wholeObject);
        else if (ChecksumHeaders.Requested(r.Request) && info.Metadata.Parts is { } parts && n <= parts.Count)
            ChecksumHeaders.Write(r.Response, parts[n - 1].Checksums);
        else if (info.Metadata.Parts is null) ChecksumHeaders.WriteIfRequested(r.Request, r.Response, info);
    }

    public async Task PutObject(S3Request r)
    {
        var key = KeyToWrite(r);
        var write = new ObjectWrite
        {
            Metadata = await WithObjectLockAsync(r, await NewObjectMetadataAsync(r) with { Checksums = r.DeclaredChecksums }, body: true),
            ContentLength = ObjectHeaders.ContentLength(r.Request),
            ContentMD5 = ObjectHeaders.ContentMD5(r.Request),
            TrailingChecksums = r.TrailingChecksums,
            Encryption = ServerSideEncryption.ForWrite(r.Request),
        };
        var condition = ObjectHeaders.WriteCondition(r.Request);
        write = write with { OnlyIfAbsent = condition.OnlyIfAbsent, IfMatch = condition.IfMatch };
        var info = await store.PutObjectAsync(r.Bucket, key, r.Body, write, r.Aborted);
        r.Response.Headers.ETag = info.ETag;
        WriteNewVersionId(r, info.VersionId);
        ServerSideEncryption.WriteHeaders(r.Response, info.Metadata.Encryption);
        ChecksumHeaders.Write(r.Response, info.Metadata.Checksums);
        await lifecycles.WriteHeaderAsync(r.Response, r.Bucket, key, info with { Metadata = write.Metadata });
        r.Response.StatusCode = StatusCodes.Status200OK;
        r.Response.ContentLength = 0;
    }

    /// <summary>
    /// 204 whether or not the key existed, as S3 answers. In a bucket that keeps versions it makes
    /// a delete marker, or with <c>?versionId=</c> removes that version; the answer names either.
    /// With <c>If-Match</c>, S3's conditional delete (<see cref="DeleteOfAsync"/>).
    /// </summary>
    public async Task DeleteObject(S3Request r)
    {
        var ifMatch = r.Request.Headers.IfMatch.ToString() is { Length: > 0 } asked ? asked : null;
        var deleted = await store.DeleteObjectVersionAsync(r.Bucket, r.Key, VersionIdOf(r), await DeleteOfAsync(r, r.Key, ifMatch), r.Aborted);
        WriteVersionId(r, deleted.VersionId);
        if (deleted.DeleteMarker) r.Response.Headers[VersionIds.DeleteMarkerHeader] = "true";
        r.Response.StatusCode = StatusCodes.Status204NoContent;
    }
}
