using S3Overlay.S3.Errors;
using S3Overlay.S3.Http;
using S3Overlay.S3.Xml;
using S3Overlay.Storage;
using S3Overlay.Storage.Errors;

namespace S3Overlay.S3.Handlers;

internal sealed partial class S3Handlers
{
    /// <summary>
    /// PUT with <c>x-amz-copy-source</c>: a store read streamed into a store write through the
    /// seam, so a copy works the same across every store (and the overlay) and holds no object whole.
    /// </summary>
    public async Task CopyObject(S3Request r)
    {
        var key = KeyToWrite(r);
        var sourceHeader = r.Request.Headers["x-amz-copy-source"].ToString();
        var (sourceBucket, sourceKey) = CopySource.Parse(sourceHeader);
        var sourceVersion = CopySource.VersionId(sourceHeader);
        var encryption = ServerSideEncryption.ForWrite(r.Request);
        var storageClass = StorageClasses.Read(r.Request);
        var replace = MetadataDirective(r) == "REPLACE";
        // Copying an older version onto its key is how a version is restored: that changes the object.
        if (!replace && sourceVersion is null && sourceBucket == r.Bucket && sourceKey == key && !r.Request.Headers.ContainsKey(StorageClasses.Header) && encryption is null)
            throw new S3Exception(S3Error.InvalidRequest.WithMessage(
                "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."));

        var conditions = ObjectHeaders.ReadConditions(r.Request, "x-amz-copy-source-");
        await using var source = await OpenCopySource(r, sourceBucket, sourceKey, conditions, versionId: sourceVersion);
        // A copy is written in one piece: a multipart source's parts, and its checksum of parts' checksums, do not describe it.
        var checksums = source.Info.Metadata.Parts is null ? source.Info.Metadata.Checksums : Storage.ObjectMetadata.EmptyMap;
        var metadata = (replace ? ObjectHeaders.ReadMetadata(r.Request) : source.Info.Metadata)
            with
            {
                Checksums = checksums, Parts = null, ChecksumType = null, Tags = CopiedTags(r, source.Info.Metadata.Tags),
                Acl = await NewObjectAclAsync(r), // S3 never copies an ACL, nor a storage class: the target's is the request's
                StorageClass = storageClass,
            };
        var condition = ObjectHeaders.WriteCondition(r.Request); // on the target; the source's are x-amz-copy-source-if-*
        var write = new ObjectWrite { Metadata = await WithObjectLockAsync(r, metadata, body: false), ContentLength = source.Info.Size, OnlyIfAbsent = condition.OnlyIfAbsent, IfMatch = condition.IfMatch, Encryption = encryption };
        var copied = await store.PutObjectAsync(r.Bucket, key, source.Body, write, r.Aborted);
        WriteNewVersionId(r, copied.VersionId);
        if (source.Info.VersionId is { } copiedVersion) r.Response.Headers["x-amz-copy-source-version-id"] = copiedVersion;

        ServerSideEncryption.WriteHeaders(r.Response, copied.Metadata.Encryption);
        await S3XmlResponse.WriteAsync(r.Response, "CopyObjectResult", async xml =>
        {
            await xml.ElementAsync("LastModified", copied.LastModified);
            await xml.ElementAsync("ETag", copied.ETag);
        });
    }

    private static string MetadataDirective(S3Request r)
    {
        var value = r.Request.Headers["x-amz-metadata-directive"].ToString();
        if (value.Length == 0) return "COPY";
        return value is "COPY" or "REPLACE"
            ? value
            : throw new S3Exception(S3Error.InvalidArgument.WithMessage("Unknown metadata directive.")).With("ArgumentName", "x-amz-metadata-directive");
    }

    /// <summary>
    /// A copy reads its source with the caller's rights (the target's write was authorized with
    /// the request). For a copy every failed source condition is 412: S3 never answers a copy with
    /// 304. A <paramref name="range"/> (UploadPartCopy) must lie wholly inside the source: a GET
    /// would shorten it, a copy refuses it.
    /// </summary>
    private async Task<ObjectContent> OpenCopySource(S3Request r, string bucket, string key, ReadConditions conditions, ByteRange? range = null, string? versionId = null)
    {
        if (!await authorizer.AllowsAsync(r, Policies.S3Actions.GetObject, bucket, key, Acl.AclNeed.ObjectRead)) throw new S3Exception(S3Error.AccessDenied);
        var ct = r.Aborted;
        ObjectContent source;
        try
        {
            var read = new ObjectReadRequest(range, conditions) { Encryption = ServerSideEncryption.CustomerKey(r.Request, ServerSideEncryption.CopySourceCustomer) };
            source = versionId is null ? await store.GetObjectAsync(bucket, key, read, ct) : await store.GetObjectVersionAsync(bucket, key, versionId, read, ct);
        }
        catch (StorageException e) when (e.Fault == StorageFault.NotModified)
        {
            throw new S3Exception(S3Error.PreconditionFailed);
        }
        catch (StorageException e) when (e.Fault == StorageFault.RangeNotSatisfiable && range is not null)
        {
            throw new S3Exception(S3Error.InvalidCopySourceRange);
        }
        if (range?.Last is { } last && source.Range?.Last != last)
        {
            await source.DisposeAsync();
            throw new S3Exception(S3Error.InvalidCopySourceRange.WithMessage($"Range specified is not valid for source object of size: {source.Info.Size}"));
        }
        return source;
    }
}
