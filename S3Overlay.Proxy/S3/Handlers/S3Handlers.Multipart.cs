using System.Globalization;
using S3Overlay.S3.Checksums;
using S3Overlay.Storage.Checksums;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Http;
using S3Overlay.S3.Parts;
using S3Overlay.S3.Xml;
using S3Overlay.Storage;
using S3Overlay.Storage.Errors;

namespace S3Overlay.S3.Handlers;

/// <summary>
/// Multipart upload: parts go through the store's multipart seam, live outside the bucket's
/// namespace, and become one object only when the upload is completed.
/// </summary>
internal sealed partial class S3Handlers
{
    public async Task CreateMultipartUpload(S3Request r)
    {
        var key = KeyToWrite(r);
        var metadata = await WithObjectLockAsync(r, MultipartChecksumHeaders.Declare(r.Request, await NewObjectMetadataAsync(r)), body: false);
        var write = new ObjectWrite { Metadata = metadata, Encryption = ServerSideEncryption.ForWrite(r.Request) };
        var uploadId = await store.CreateMultipartUploadAsync(r.Bucket, key, write, r.Aborted);
        ServerSideEncryption.WriteHeaders(r.Response, write.Encryption);
        if (write.Metadata.ChecksumAlgorithm is { } algorithm)
        {
            r.Response.Headers["x-amz-checksum-algorithm"] = algorithm.ToUpperInvariant();
            r.Response.Headers["x-amz-checksum-type"] = write.Metadata.ChecksumType;
        }
        await S3XmlResponse.WriteAsync(r.Response, "InitiateMultipartUploadResult", async xml =>
        {
            await xml.ElementAsync("Bucket", r.Bucket);
            await xml.ElementAsync("Key", key);
            await xml.ElementAsync("UploadId", uploadId);
        });
    }

    public async Task UploadPart(S3Request r)
    {
        var (uploadId, partNumber) = PartAddress(r);
        var write = new ObjectWrite
        {
            Encryption = ServerSideEncryption.CustomerKeyOnly(r.Request), // SSE-C: the customer's key comes with each part
            ContentLength = ObjectHeaders.ContentLength(r.Request),
            ContentMD5 = ObjectHeaders.ContentMD5(r.Request),
            Metadata = ObjectMetadata.Empty with { Checksums = r.DeclaredChecksums },
            TrailingChecksums = r.TrailingChecksums,
        };
        var part = await store.UploadPartAsync(r.Bucket, r.Key, uploadId, partNumber, r.Body, write, r.Aborted);
        r.Response.Headers.ETag = part.ETag;
        ServerSideEncryption.WriteHeaders(r.Response, write.Encryption);
        ChecksumHeaders.WriteValues(r.Response, part.Checksums);
        r.Response.ContentLength = 0;
    }

    /// <summary>A part copied from a range of an existing object, streamed from the store's read into its part write.</summary>
    public async Task UploadPartCopy(S3Request r)
    {
        var (uploadId, partNumber) = PartAddress(r);
        var (sourceBucket, sourceKey) = CopySource.Parse(r.Request.Headers["x-amz-copy-source"].ToString());
        var range = CopySourceRange(r);
        var conditions = ObjectHeaders.ReadConditions(r.Request, "x-amz-copy-source-");
        await using var source = await OpenCopySource(r, sourceBucket, sourceKey, conditions, range, CopySource.VersionId(r.Request.Headers["x-amz-copy-source"].ToString()));

        var part = await store.UploadPartAsync(r.Bucket, r.Key, uploadId, partNumber, source.Body,
            new ObjectWrite { ContentLength = source.Length, Encryption = ServerSideEncryption.CustomerKeyOnly(r.Request) }, r.Aborted);
        await S3XmlResponse.WriteAsync(r.Response, "CopyPartResult", async xml =>
        {
            await xml.ElementAsync("LastModified", part.LastModified);
            await xml.ElementAsync("ETag", part.ETag);
        });
    }

    public async Task CompleteMultipartUpload(S3Request r)
    {
        var uploadId = UploadId(r);
        var parts = CompletedParts(await S3XmlRequest.ReadAsync(r));
        ObjectInfo info;
        try
        {
            info = await store.CompleteMultipartUploadAsync(r.Bucket, r.Key, uploadId, parts, MultipartChecksumHeaders.Expected(r.Request), ObjectHeaders.WriteCondition(r.Request), r.Aborted);
        }
        catch (StorageException e) when (e.Fault == StorageFault.UploadNotFound)
        {
            if (await CompletedBeforeAsync(r, parts) is not { } done) throw;
            info = done;
        }
        WriteNewVersionId(r, info.VersionId);
        ServerSideEncryption.WriteHeaders(r.Response, info.Metadata.Encryption);
        await S3XmlResponse.WriteAsync(r.Response, "CompleteMultipartUploadResult", async xml =>
        {
            await xml.ElementAsync("Location", $"{r.Request.Scheme}://{r.Request.Host}{r.Address.RawPath}");
            await xml.ElementAsync("Bucket", r.Bucket);
            await xml.ElementAsync("Key", r.Key);
            await xml.ElementAsync("ETag", info.ETag);
            foreach (var (algorithm, value) in info.Metadata.Checksums)
                await xml.ElementAsync("Checksum" + algorithm.ToUpperInvariant(), value);
            if (info.Metadata.Checksums.Count > 0)
                await xml.ElementAsync("ChecksumType", info.Metadata.ChecksumType ?? MultipartChecksum.FullObject);
        });
    }

    /// <summary>
    /// A completion repeated (a client whose first answer was lost retries it): the upload is gone,
    /// but the object its parts made is there, and S3 answers 200 with it again. The object is
    /// known by its ETag, which the listed parts' ETags determine (S3's multipart ETag).
    /// </summary>
    /// <returns>The object; null when the key holds no object these parts made.</returns>
    private async Task<ObjectInfo?> CompletedBeforeAsync(S3Request r, IReadOnlyList<CompletedPart> parts)
    {
        if (MultipartETag.Of(CompletedPart.InOrder(parts).Select(listed => listed[^1].ETag)) is not { } etag) return null;
        var current = await store.FindObjectAsync(r.Bucket, r.Key, r.Aborted);
        return current?.ETag == etag ? current : null;
    }

    public async Task AbortMultipartUpload(S3Request r)
    {
        await store.AbortMultipartUploadAsync(r.Bucket, r.Key, UploadId(r), r.Aborted);
        r.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    public async Task ListParts(S3Request r)
    {
        var uploadId = UploadId(r);
        var marker = QueryNumber(r, "part-number-marker", 0);
        var maxParts = Math.Min(QueryNumber(r, "max-parts", ListingQuery.MaxPageSize), ListingQuery.MaxPageSize);
        var listing = ListingQuery.Read(r.Request.Query);
        var page = await store.ListPartsAsync(r.Bucket, r.Key, uploadId, marker, maxParts, r.Aborted);
        await S3XmlResponse.WriteAsync(r.Response, "ListPartsResult", async xml =>
        {
            await xml.ElementAsync("Bucket", r.Bucket);
            await xml.ElementAsync("Key", listing.Show(r.Key));
            await xml.ElementAsync("UploadId", uploadId);
            await xml.OwnerAsync("Initiator");
            await xml.OwnerAsync();
            await xml.ElementAsync("StorageClass", "STANDARD");
            await xml.ElementAsync("PartNumberMarker", marker);
            await xml.ElementAsync("NextPartNumberMarker", page.NextPartNumberMarker);
            await xml.ElementAsync("MaxParts", maxParts);
            await xml.ElementAsync("IsTruncated", page.IsTruncated);
            if (listing.UrlEncoded) await xml.ElementAsync("EncodingType", "url");
            await xml.OptionalElementAsync("ChecksumAlgorithm", page.ChecksumAlgorithm?.ToUpperInvariant());
            await xml.OptionalElementAsync("ChecksumType", page.ChecksumType);
            foreach (var part in page.Parts)
            {
                await xml.WriteStartElementAsync(null, "Part", null);
                await xml.ElementAsync("PartNumber", part.PartNumber);
                await xml.ElementAsync("LastModified", part.LastModified);
                await xml.ElementAsync("ETag", part.ETag);
                await xml.ElementAsync("Size", part.Size);
                foreach (var (algorithm, value) in part.Checksums)
                    await xml.ElementAsync("Checksum" + algorithm.ToUpperInvariant(), value);
                await xml.WriteEndElementAsync();
            }
        });
    }

    public async Task ListMultipartUploads(S3Request r)
    {
        var query = r.Request.Query;
        var listing = ListingQuery.Read(query);
        var keyMarker = NullIfEmpty(ListingQuery.Value(query, "key-marker"));
        var request = new UploadsRequest(
            Prefix: listing.Prefix,
            Delimiter: listing.Delimiter,
            KeyMarker: keyMarker,
            // S3 ignores the upload-id marker without a key marker.
            UploadIdMarker: keyMarker is null ? null : NullIfEmpty(ListingQuery.Value(query, "upload-id-marker")),
            MaxUploads: Math.Min(QueryNumber(r, "max-uploads", ListingQuery.MaxPageSize), ListingQuery.MaxPageSize));
        var page = await store.ListMultipartUploadsAsync(r.Bucket, request, r.Aborted);
        await S3XmlResponse.WriteAsync(r.Response, "ListMultipartUploadsResult", async xml =>
        {
            await xml.ElementAsync("Bucket", r.Bucket);
            await xml.ElementAsync("KeyMarker", listing.Show(request.KeyMarker ?? ""));
            await xml.ElementAsync("UploadIdMarker", request.UploadIdMarker ?? "");
            await xml.ElementAsync("NextKeyMarker", listing.Show(page.NextKeyMarker ?? ""));
            await xml.ElementAsync("NextUploadIdMarker", page.NextUploadIdMarker ?? "");
            await xml.OptionalElementAsync("Delimiter", request.Delimiter is null ? null : listing.Show(request.Delimiter));
            await xml.ElementAsync("Prefix", listing.Show(request.Prefix));
            await xml.ElementAsync("MaxUploads", request.MaxUploads);
            await xml.ElementAsync("IsTruncated", page.IsTruncated);
            if (listing.UrlEncoded) await xml.ElementAsync("EncodingType", "url");
            foreach (var upload in page.Uploads)
            {
                await xml.WriteStartElementAsync(null, "Upload", null);
                await xml.ElementAsync("Key", listing.Show(upload.Key));
                await xml.ElementAsync("UploadId", upload.UploadId);
                await xml.OwnerAsync("Initiator");
                await xml.OwnerAsync();
                await xml.ElementAsync("StorageClass", "STANDARD");
                await xml.ElementAsync("Initiated", upload.Initiated);
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

    private static string UploadId(S3Request r) =>
        NullIfEmpty(r.Request.Query["uploadId"].ToString()) ?? throw new S3Exception(S3Error.NoSuchUpload);

    private static (string UploadId, int PartNumber) PartAddress(S3Request r) =>
        (UploadId(r), PartNumbers.FromQuery(r.Request) ?? throw new S3Exception(S3Error.InvalidArgument.WithMessage("Part number must be an integer between 1 and 10000, inclusive")));

    /// <summary>
    /// UploadPartCopy's <c>x-amz-copy-source-range</c>: absent, or exactly <c>bytes=first-last</c>
    /// (no open or suffix ranges, unlike a GET's Range).
    /// </summary>
    private static ByteRange? CopySourceRange(S3Request r)
    {
        var header = r.Request.Headers["x-amz-copy-source-range"].ToString();
        if (header.Length == 0) return null;
        return ByteRange.Parse(header) is { First: not null, Last: not null } range
            ? range
            : throw InvalidCopySourceRange("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy");
    }

    private static S3Exception InvalidCopySourceRange(string message) =>
        new S3Exception(S3Error.InvalidArgument.WithMessage(message)).With("ArgumentName", "x-amz-copy-source-range");

    /// <summary>The parts CompleteMultipartUpload lists, in the client's order; MalformedXML when there are none.</summary>
    private static List<CompletedPart> CompletedParts(System.Xml.Linq.XElement root)
    {
        if (root.Name.LocalName != "CompleteMultipartUpload") throw new S3Exception(S3Error.MalformedXML);
        var parts = new List<CompletedPart>();
        foreach (var part in root.Children("Part"))
        {
            var etag = part.ChildText("ETag")?.Trim();
            if (!int.TryParse(part.ChildText("PartNumber"), NumberStyles.None, CultureInfo.InvariantCulture, out var number) || string.IsNullOrEmpty(etag))
                throw new S3Exception(S3Error.MalformedXML);
            // The seam's ETags are quoted as on the wire; some clients send them bare.
            parts.Add(new CompletedPart(number, etag.StartsWith('"') ? etag : $"\"{etag}\"", ListedChecksums(part)));
        }
        return parts.Count > 0 ? parts : throw new S3Exception(S3Error.MalformedXML);
    }

    /// <summary>The checksums a completed part names (<c>&lt;ChecksumSHA256&gt;</c>…), by algorithm; null when none.</summary>
    private static Dictionary<string, string>? ListedChecksums(System.Xml.Linq.XElement part)
    {
        Dictionary<string, string>? listed = null;
        foreach (var algorithm in ChecksumAlgorithm.All)
            if (part.ChildText("Checksum" + algorithm.Name.ToUpperInvariant()) is { Length: > 0 } value)
                (listed ??= [])[algorithm.Name] = value;
        return listed;
    }

    /// <summary>A non-negative integer query parameter; InvalidArgument when it is not one.</summary>
    private static int QueryNumber(S3Request r, string name, int absent) => Count(r.Request.Query[name].ToString(), name, absent);

    /// <summary>A non-negative integer header (GetObjectAttributes' paging); InvalidArgument when it is not one.</summary>
    private static int HeaderNumber(S3Request r, string name, int absent) => Count(r.Request.Headers[name].ToString(), name, absent);

    private static int Count(string raw, string name, int absent)
    {
        if (raw.Length == 0) return absent;
        return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new S3Exception(S3Error.InvalidArgument.WithMessage($"Provided {name} not an integer or within integer range"))
                .With("ArgumentName", name).With("ArgumentValue", raw);
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
