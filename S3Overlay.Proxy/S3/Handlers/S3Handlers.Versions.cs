using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Http;
using S3Overlay.S3.Xml;
using S3Overlay.Storage;
using S3Overlay.Storage.Versions;

namespace S3Overlay.S3.Handlers;

/// <summary>Bucket versioning (<c>?versioning</c>), the version listing (<c>?versions</c>), and the <c>versionId</c> every object operation may name.</summary>
internal sealed partial class S3Handlers
{
    /// <summary>A bucket never versioned answers an empty configuration, as S3 does.</summary>
    public async Task GetBucketVersioning(S3Request r)
    {
        var state = await store.GetBucketVersioningAsync(r.Bucket, r.Aborted);
        await S3XmlResponse.WriteAsync(r.Response, "VersioningConfiguration", async xml =>
        {
            if (state != BucketVersioning.Unversioned) await xml.ElementAsync("Status", state.ToString());
        });
    }

    /// <summary>Status Enabled or Suspended; MFA delete is not offered (asking to enable it is refused).</summary>
    public async Task PutBucketVersioning(S3Request r)
    {
        var root = await S3XmlRequest.ReadAsync(r);
        if (root.Name.LocalName != "VersioningConfiguration") throw new S3Exception(S3Error.MalformedXML);
        if (root.ChildText("MfaDelete") is "Enabled")
            throw new S3Exception(S3Error.NotImplemented.WithMessage("MFA delete is not supported by this server."));
        if (root.ChildText("MfaDelete") is not (null or "Disabled")) throw new S3Exception(S3Error.MalformedXML);
        var state = root.ChildText("Status") switch
        {
            "Enabled" => BucketVersioning.Enabled,
            "Suspended" => BucketVersioning.Suspended,
            // No Status changes nothing: what the bucket has, it keeps.
            null => (BucketVersioning?)null,
            _ => throw new S3Exception(S3Error.MalformedXML),
        };
        if (state == BucketVersioning.Suspended) await RefuseSuspendingLockedAsync(r);
        if (state is { } wanted) await store.PutBucketVersioningAsync(r.Bucket, wanted, r.Aborted);
        else await RequireBucket(r);
        r.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>GET ?versions: every version and delete marker, keys in order, each key's newest first.</summary>
    public async Task ListObjectVersions(S3Request r)
    {
        var query = r.Request.Query;
        var listing = ListingQuery.Read(query);
        var keyMarker = ListingQuery.Value(query, "key-marker") is { Length: > 0 } k ? k : null;
        var versionIdMarker = ListingQuery.Value(query, "version-id-marker") is { Length: > 0 } v ? v : null;
        if (versionIdMarker is not null && keyMarker is null)
            throw new S3Exception(S3Error.InvalidArgument.WithMessage("A version-id marker cannot be specified without a key marker."))
                .With("ArgumentName", "version-id-marker").With("ArgumentValue", versionIdMarker);
        VersionsPage page;
        if (listing.MaxKeys == 0)
        {
            await RequireBucket(r);
            page = new VersionsPage([], [], false, null, null);
        }
        else page = await store.ListObjectVersionsAsync(r.Bucket, new VersionsRequest(listing.Prefix, listing.Delimiter, keyMarker, versionIdMarker, listing.MaxKeys), r.Aborted);

        var owners = await ListingOwnersAsync(r);
        await S3XmlResponse.WriteAsync(r.Response, "ListVersionsResult", async xml =>
        {
            await xml.ElementAsync("Name", r.Bucket);
            await xml.ElementAsync("Prefix", listing.Show(listing.Prefix));
            await xml.ElementAsync("KeyMarker", listing.Show(keyMarker ?? ""));
            await xml.ElementAsync("VersionIdMarker", versionIdMarker ?? "");
            if (page.IsTruncated)
            {
                await xml.OptionalElementAsync("NextKeyMarker", page.NextKeyMarker is { } next ? listing.Show(next) : null);
                await xml.OptionalElementAsync("NextVersionIdMarker", page.NextVersionIdMarker);
            }
            await xml.ElementAsync("MaxKeys", listing.MaxKeys);
            await xml.OptionalElementAsync("Delimiter", listing.Delimiter is null ? null : listing.Show(listing.Delimiter));
            await xml.OptionalElementAsync("EncodingType", listing.UrlEncoded ? "url" : null);
            await xml.ElementAsync("IsTruncated", page.IsTruncated);
            foreach (var version in page.Versions)
            {
                await xml.WriteStartElementAsync(null, version.IsDeleteMarker ? "DeleteMarker" : "Version", null);
                await xml.ElementAsync("Key", listing.Show(version.Info.Key));
                await xml.ElementAsync("VersionId", version.VersionId);
                await xml.ElementAsync("IsLatest", version.IsLatest);
                await xml.ElementAsync("LastModified", version.Info.LastModified);
                if (!version.IsDeleteMarker)
                {
                    await xml.ElementAsync("ETag", version.Info.ETag);
                    await xml.ElementAsync("Size", version.Info.Size);
                    await xml.ElementAsync("StorageClass", StorageClasses.Of(version.Info.Metadata));
                }
                var (ownerId, ownerName) = owners.Of(version.Info.Metadata);
                await xml.OwnerAsync(ownerId, ownerName);
                await xml.WriteEndElementAsync();
            }
            foreach (var prefix in page.CommonPrefixes)
            {
                await xml.WriteStartElementAsync(null, "CommonPrefixes", null);
                await xml.ElementAsync("Prefix", listing.Show(prefix));
                await xml.WriteEndElementAsync();
            }
        });
    }

    /// <summary>The version the request names (<c>?versionId=</c>); null when it names none. An empty one is refused, as S3 refuses it.</summary>
    private static string? VersionIdOf(S3Request r)
    {
        if (!r.Request.Query.TryGetValue("versionId", out var value)) return null;
        var id = value.ToString();
        return id.Length > 0 ? id
            : throw new S3Exception(S3Error.InvalidArgument.WithMessage("Version id cannot be the empty string"))
                .With("ArgumentName", "versionId").With("ArgumentValue", "");
    }

    /// <summary><c>x-amz-version-id</c>, when the bucket keeps versions (a version to name).</summary>
    private static void WriteVersionId(S3Request r, string? versionId)
    {
        if (versionId is not null) r.Response.Headers[VersionIds.Header] = versionId;
    }

    /// <summary>
    /// The version a write made: named when the bucket keeps versions; a write in a suspended
    /// bucket makes the null version and answers without the header, as S3 and RGW answer
    /// (ceph/s3-tests' test_versioning_bucket_*_upload_return_version_id).
    /// </summary>
    private static void WriteNewVersionId(S3Request r, string? versionId)
    {
        if (versionId != VersionIds.Null) WriteVersionId(r, versionId);
    }
}
