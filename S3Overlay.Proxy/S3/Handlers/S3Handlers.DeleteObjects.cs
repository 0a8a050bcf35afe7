using S3Overlay.S3.Errors;
using S3Overlay.S3.Xml;
using S3Overlay.Storage;

namespace S3Overlay.S3.Handlers;

internal sealed partial class S3Handlers
{
    /// <summary>S3's limit on the keys of one DeleteObjects request.</summary>
    private const int MaxKeysPerDelete = 1000;

    /// <summary>
    /// POST ?delete: deletes up to 1,000 keys and reports each one (only failures in quiet mode).
    /// A key that fails does not fail the request; it becomes an Error entry.
    /// </summary>
    public async Task DeleteObjects(S3Request r)
    {
        var document = await S3XmlRequest.ReadAsync(r);
        if (document.Name.LocalName != "Delete") throw new S3Exception(S3Error.MalformedXML);
        var quiet = string.Equals(document.ChildText("Quiet")?.Trim(), "true", StringComparison.OrdinalIgnoreCase);
        var objects = document.Children("Object").Select(o => (Key: o.ChildText("Key"), VersionId: o.ChildText("VersionId"), ETag: o.ChildText("ETag"))).ToList();
        if (objects.Count is 0 or > MaxKeysPerDelete || objects.Any(o => string.IsNullOrEmpty(o.Key)))
            throw new S3Exception(S3Error.MalformedXML);
        await RequireBucket(r);

        var results = new List<(string Key, string? VersionId, Storage.Versions.DeletedVersion? Deleted, S3Error? Error)>(objects.Count);
        foreach (var (key, versionId, etag) in objects)
        {
            try
            {
                // Each key is judged on its own, as S3 does: a denied one is an Error entry and the others go on.
                var action = versionId is null ? Policies.S3Actions.DeleteObject : Policies.S3Actions.OfVersion(Policies.S3Actions.DeleteObject);
                if (!await authorizer.AllowsAsync(r, action, r.Bucket, key, Acl.AclNeed.BucketWrite)) throw new S3Exception(S3Error.AccessDenied);
                if (versionId is { Length: 0 }) throw new S3Exception(S3Error.InvalidArgument.WithMessage("Version id cannot be the empty string"));
                var deleted = await store.DeleteObjectVersionAsync(r.Bucket, key!, versionId, await DeleteOfAsync(r, key!, etag), r.Aborted);
                results.Add((key!, versionId, deleted, null));
            }
            catch (Exception caught) when (StorageErrors.AsS3(caught) is { } e)
            {
                results.Add((key!, versionId, null, e.Error));
            }
        }

        await S3XmlResponse.WriteAsync(r.Response, "DeleteResult", async xml =>
        {
            foreach (var (key, versionId, deleted, error) in results)
            {
                if (error is null)
                {
                    if (quiet) continue;
                    await xml.WriteStartElementAsync(null, "Deleted", null);
                    await xml.ElementAsync("Key", key);
                    // A version asked for is named as asked; a delete marker made is named as made.
                    await xml.OptionalElementAsync("VersionId", versionId);
                    if (deleted!.DeleteMarker)
                    {
                        await xml.ElementAsync("DeleteMarker", true);
                        if (versionId is null) await xml.OptionalElementAsync("DeleteMarkerVersionId", deleted.VersionId);
                        else await xml.OptionalElementAsync("DeleteMarkerVersionId", versionId);
                    }
                }
                else
                {
                    await xml.WriteStartElementAsync(null, "Error", null);
                    await xml.ElementAsync("Key", key);
                    await xml.OptionalElementAsync("VersionId", versionId);
                    await xml.ElementAsync("Code", error.Code);
                    await xml.ElementAsync("Message", error.Message);
                }
                await xml.WriteEndElementAsync();
            }
        });
    }

    /// <summary>
    /// How a key is deleted: bypassing GOVERNANCE retention when asked for and allowed, and, with an
    /// If-Match (DeleteObject's header, DeleteObjects' <c>ETag</c> element), only if the object
    /// deleted has that ETag (S3's conditional delete: 412 PreconditionFailed otherwise, 404
    /// NoSuchKey where the key holds no object). An ETag asked for tells of the object, so S3
    /// asks <c>s3:GetObject</c> of the caller too; <c>*</c> asks only that an object be there.
    /// </summary>
    private async Task<ObjectDelete> DeleteOfAsync(S3Request r, string key, string? ifMatch)
    {
        if (ifMatch is not null && ifMatch.Trim() != "*" && !await authorizer.AllowsAsync(r, Policies.S3Actions.GetObject, r.Bucket, key, Acl.AclNeed.ObjectRead))
            throw new S3Exception(S3Error.AccessDenied);
        return new ObjectDelete(await BypassesGovernanceAsync(r, key), ifMatch);
    }
}
