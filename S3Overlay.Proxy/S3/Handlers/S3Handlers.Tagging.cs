using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Http;
using S3Overlay.S3.Tagging;
using S3Overlay.S3.Xml;

namespace S3Overlay.S3.Handlers;

/// <summary>Object tagging: the <c>?tagging</c> sub-resource of an object.</summary>
internal sealed partial class S3Handlers
{
    public async Task GetObjectTagging(S3Request r)
    {
        var versionId = VersionIdOf(r);
        var tags = versionId is null
            ? await store.GetObjectTaggingAsync(r.Bucket, r.Key, r.Aborted)
            : await store.GetObjectVersionTaggingAsync(r.Bucket, r.Key, versionId, r.Aborted);
        WriteVersionId(r, versionId);
        await S3XmlResponse.WriteAsync(r.Response, "Tagging", xml => TagSet.WriteXmlAsync(xml, tags));
    }

    public async Task PutObjectTagging(S3Request r)
    {
        var tags = TagSet.FromXml(await S3XmlRequest.ReadAsync(r, MaxTaggingBytes), TagRules.Object);
        await PutTaggingAsync(r, tags);
        r.Response.StatusCode = StatusCodes.Status200OK;
        r.Response.ContentLength = 0;
    }

    public async Task DeleteObjectTagging(S3Request r)
    {
        await PutTaggingAsync(r, Storage.ObjectMetadata.EmptyMap);
        r.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task PutTaggingAsync(S3Request r, IReadOnlyDictionary<string, string> tags)
    {
        if (VersionIdOf(r) is not { } versionId) await store.PutObjectTaggingAsync(r.Bucket, r.Key, tags, r.Aborted);
        else await store.PutObjectVersionTaggingAsync(r.Bucket, r.Key, versionId, tags, r.Aborted);
        WriteVersionId(r, VersionIdOf(r));
    }

    /// <summary>
    /// The metadata of a request that creates an object: content headers, <c>x-amz-meta-*</c>,
    /// <c>x-amz-tagging</c>, its ACL and storage class.
    /// </summary>
    private async Task<Storage.ObjectMetadata> NewObjectMetadataAsync(S3Request r)
    {
        return ObjectHeaders.ReadMetadata(r.Request) with
        {
            Tags = TagSet.FromHeader(r.Request) ?? Storage.ObjectMetadata.EmptyMap,
            Acl = await NewObjectAclAsync(r),
            StorageClass = StorageClasses.Read(r.Request),
        };
    }

    /// <summary>Ten tags of at most 128 + 256 characters, escaped, fit with room to spare.</summary>
    private const int MaxTaggingBytes = 64 * 1024;

    /// <summary>
    /// The tags a copy gives its target: the source's (<c>x-amz-tagging-directive: COPY</c>, the
    /// default) or the request's own <c>x-amz-tagging</c> (REPLACE).
    /// </summary>
    private static IReadOnlyDictionary<string, string> CopiedTags(S3Request r, IReadOnlyDictionary<string, string> sourceTags)
    {
        var directive = r.Request.Headers["x-amz-tagging-directive"].ToString();
        return directive switch
        {
            "" or "COPY" => sourceTags,
            "REPLACE" => TagSet.FromHeader(r.Request) ?? Storage.ObjectMetadata.EmptyMap,
            _ => throw new S3Exception(S3Error.InvalidArgument.WithMessage("Unknown tagging directive.")).With("ArgumentName", "x-amz-tagging-directive"),
        };
    }
}
