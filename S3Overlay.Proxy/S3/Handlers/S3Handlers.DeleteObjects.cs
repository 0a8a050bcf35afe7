using S3Overlay.S3.Errors;
using S3Overlay.S3.Xml;

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
        var objects = document.Children("Object").Select(o => (Key: o.ChildText("Key"), VersionId: o.ChildText("VersionId"))).ToList();
        if (objects.Count is 0 or > MaxKeysPerDelete || objects.Any(o => string.IsNullOrEmpty(o.Key)))
            throw new S3Exception(S3Error.MalformedXML);
        await RequireBucket(r);

        var results = new List<(string Key, string? VersionId, Storage.Versions.DeletedVersion? Deleted, S3Error? Error)>(objects.Count);
        foreach (var (key, versionId) in objects)
        {
            try
            {
                // Each key is judged on its own, as S3 does: a denied one is an Error entry and the others go on.
                var action = versionId is null ? Policies.S3Actions.DeleteObject : Policies.S3Actions.OfVersion(Policies.S3Actions.DeleteObject);
                if (!await authorizer.AllowsAsync(r, action, r.Bucket, key, Acl.AclNeed.BucketWrite)) throw new S3Exception(S3Error.AccessDenied);
                if (versionId is { Length: 0 }) throw new S3Exception(S3Error.InvalidArgument.WithMessage("Version id cannot be the empty string"));
                var deleted = await store.DeleteObjectVersionAsync(r.Bucket, key!, versionId, await BypassesGovernanceAsync(r, key!), r.Aborted);
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
}
