using S3Overlay.S3.Errors;
using S3Overlay.S3.Xml;

namespace S3Overlay.S3.Handlers;

public sealed partial class S3Handlers
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
        var keys = document.Children("Object").Select(o => o.ChildText("Key")).ToList();
        if (keys.Count is 0 or > MaxKeysPerDelete || keys.Any(string.IsNullOrEmpty))
            throw new S3Exception(S3Error.MalformedXML);
        await RequireBucket(r);

        var results = new List<(string Key, S3Error? Error)>(keys.Count);
        foreach (var key in keys)
        {
            try
            {
                // Each key is judged on its own, as S3 does: a denied one is an Error entry and the others go on.
                if (!await authorizer.AllowsAsync(r, Policies.S3Actions.DeleteObject, r.Bucket, key, Acl.AclNeed.BucketWrite)) throw new S3Exception(S3Error.AccessDenied);
                await store.DeleteObjectAsync(r.Bucket, key!, r.Aborted);
                results.Add((key!, null));
            }
            catch (S3Exception e)
            {
                results.Add((key!, e.Error));
            }
        }

        await S3XmlResponse.WriteAsync(r.Response, "DeleteResult", async xml =>
        {
            foreach (var (key, error) in results)
            {
                if (error is null)
                {
                    if (quiet) continue;
                    await xml.WriteStartElementAsync(null, "Deleted", null);
                    await xml.ElementAsync("Key", key);
                }
                else
                {
                    await xml.WriteStartElementAsync(null, "Error", null);
                    await xml.ElementAsync("Key", key);
                    await xml.ElementAsync("Code", error.Code);
                    await xml.ElementAsync("Message", error.Message);
                }
                await xml.WriteEndElementAsync();
            }
        });
    }
}
