using System.Globalization;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;

namespace S3Overlay.S3.Handlers;

/// <summary>
/// Multipart upload: parts are written through the store's multipart seam, live outside the
/// bucket's namespace, and become one object only when the upload is completed.
/// </summary>
public sealed partial class S3Handlers
{
    private const int MaxPartNumber = 10_000;
    private const int MaxListEntries = 1000;

    public async Task CreateMultipartUpload(S3Request r)
    {
        var write = new ObjectWrite { Metadata = MultipartHeaders.ReadMetadata(r.Request) };
        var uploadId = await store.CreateMultipartUploadAsync(r.Bucket, r.Key, write, r.Aborted);
        if (r.Request.Headers["x-amz-checksum-algorithm"] is { Count: > 0 } algorithm)
            r.Response.Headers["x-amz-checksum-algorithm"] = algorithm;
        await MultipartXml.WriteAsync(r, "InitiateMultipartUploadResult", x =>
        {
            x.WriteElementString("Bucket", r.Bucket);
            x.WriteElementString("Key", r.Key);
            x.WriteElementString("UploadId", uploadId);
        });
    }

    public async Task UploadPart(S3Request r)
    {
        var (uploadId, partNumber) = PartAddress(r);
        var write = new ObjectWrite
        {
            ContentLength = MultipartHeaders.PayloadLength(r.Request),
            ContentMD5 = MultipartHeaders.ContentMD5(r.Request),
            TrailingChecksums = r.TrailingChecksums,
        };
        var part = await store.UploadPartAsync(r.Bucket, r.Key, uploadId, partNumber, r.Body, write, r.Aborted);
        r.Response.Headers.ETag = part.ETag;
        foreach (var (algorithm, value) in part.Checksums)
            r.Response.Headers["x-amz-checksum-" + algorithm] = value;
    }

    public async Task UploadPartCopy(S3Request r)
    {
        var (uploadId, partNumber) = PartAddress(r);
        var source = CopySource.Parse(r.Request.Headers["x-amz-copy-source"]);
        var range = CopySource.ParseRange(r.Request.Headers["x-amz-copy-source-range"]);
        var conditions = CopySource.Conditions(r.Request);
        await using var content = await source.OpenAsync(store, new ObjectReadRequest(range, conditions), r.Aborted);
        var part = await store.UploadPartAsync(r.Bucket, r.Key, uploadId, partNumber, content.Body,
            new ObjectWrite { ContentLength = content.Length }, r.Aborted);
        await MultipartXml.WriteAsync(r, "CopyPartResult", x =>
        {
            x.WriteElementString("LastModified", MultipartXml.Timestamp(part.LastModified));
            x.WriteElementString("ETag", part.ETag);
        });
    }

    public async Task CompleteMultipartUpload(S3Request r)
    {
        var uploadId = UploadId(r);
        var parts = await CompletedPartsXml.ReadAsync(r.Body, r.Aborted);
        var info = await store.CompleteMultipartUploadAsync(r.Bucket, r.Key, uploadId, parts, r.Aborted);
        await MultipartXml.WriteAsync(r, "CompleteMultipartUploadResult", x =>
        {
            x.WriteElementString("Location", ObjectLocation(r));
            x.WriteElementString("Bucket", r.Bucket);
            x.WriteElementString("Key", r.Key);
            x.WriteElementString("ETag", info.ETag);
        });
    }

    public async Task AbortMultipartUpload(S3Request r)
    {
        await store.AbortMultipartUploadAsync(r.Bucket, r.Key, UploadId(r), r.Aborted);
        r.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    public async Task ListParts(S3Request r)
    {
        var uploadId = UploadId(r);
        var marker = MultipartHeaders.QueryInt(r.Request, "part-number-marker", 0, 0, int.MaxValue);
        var maxParts = Math.Min(MultipartHeaders.QueryInt(r.Request, "max-parts", MaxListEntries, 0, int.MaxValue), MaxListEntries);
        var page = await store.ListPartsAsync(r.Bucket, r.Key, uploadId, marker, maxParts, r.Aborted);
        var url = MultipartXml.UrlEncoded(r.Request);
        await MultipartXml.WriteAsync(r, "ListPartsResult", x =>
        {
            x.WriteElementString("Bucket", r.Bucket);
            x.WriteElementString("Key", url(r.Key));
            x.WriteElementString("UploadId", uploadId);
            MultipartXml.WriteOwner(x, "Initiator");
            MultipartXml.WriteOwner(x, "Owner");
            x.WriteElementString("StorageClass", "STANDARD");
            x.WriteElementString("PartNumberMarker", Invariant(marker));
            x.WriteElementString("NextPartNumberMarker", Invariant(page.NextPartNumberMarker));
            x.WriteElementString("MaxParts", Invariant(maxParts));
            x.WriteElementString("IsTruncated", page.IsTruncated ? "true" : "false");
            if (url != MultipartXml.Plain) x.WriteElementString("EncodingType", "url");
            foreach (var part in page.Parts)
            {
                x.WriteStartElement("Part");
                x.WriteElementString("PartNumber", Invariant(part.PartNumber));
                x.WriteElementString("LastModified", MultipartXml.Timestamp(part.LastModified));
                x.WriteElementString("ETag", part.ETag);
                x.WriteElementString("Size", Invariant(part.Size));
                foreach (var (algorithm, value) in part.Checksums)
                    x.WriteElementString(MultipartXml.ChecksumElement(algorithm), value);
                x.WriteEndElement();
            }
        });
    }

    public async Task ListMultipartUploads(S3Request r)
    {
        var q = r.Request.Query;
        var request = new UploadsRequest(
            Prefix: q["prefix"].ToString(),
            Delimiter: NullIfEmpty(q["delimiter"]),
            KeyMarker: NullIfEmpty(q["key-marker"]),
            // S3 ignores the upload-id marker without a key marker.
            UploadIdMarker: NullIfEmpty(q["key-marker"]) is null ? null : NullIfEmpty(q["upload-id-marker"]),
            MaxUploads: Math.Min(MultipartHeaders.QueryInt(r.Request, "max-uploads", MaxListEntries, 0, int.MaxValue), MaxListEntries));
        var page = await store.ListMultipartUploadsAsync(r.Bucket, request, r.Aborted);
        var url = MultipartXml.UrlEncoded(r.Request);
        await MultipartXml.WriteAsync(r, "ListMultipartUploadsResult", x =>
        {
            x.WriteElementString("Bucket", r.Bucket);
            x.WriteElementString("KeyMarker", url(request.KeyMarker ?? ""));
            x.WriteElementString("UploadIdMarker", request.UploadIdMarker ?? "");
            x.WriteElementString("NextKeyMarker", url(page.NextKeyMarker ?? ""));
            x.WriteElementString("NextUploadIdMarker", page.NextUploadIdMarker ?? "");
            if (request.Delimiter is not null) x.WriteElementString("Delimiter", url(request.Delimiter));
            x.WriteElementString("Prefix", url(request.Prefix));
            x.WriteElementString("MaxUploads", Invariant(request.MaxUploads));
            x.WriteElementString("IsTruncated", page.IsTruncated ? "true" : "false");
            if (url != MultipartXml.Plain) x.WriteElementString("EncodingType", "url");
            foreach (var upload in page.Uploads)
            {
                x.WriteStartElement("Upload");
                x.WriteElementString("Key", url(upload.Key));
                x.WriteElementString("UploadId", upload.UploadId);
                MultipartXml.WriteOwner(x, "Initiator");
                MultipartXml.WriteOwner(x, "Owner");
                x.WriteElementString("StorageClass", "STANDARD");
                x.WriteElementString("Initiated", MultipartXml.Timestamp(upload.Initiated));
                x.WriteEndElement();
            }
            foreach (var prefix in page.CommonPrefixes)
            {
                x.WriteStartElement("CommonPrefixes");
                x.WriteElementString("Prefix", url(prefix));
                x.WriteEndElement();
            }
        });
    }

    private static string UploadId(S3Request r) =>
        NullIfEmpty(r.Request.Query["uploadId"]) ?? throw new S3Exception(S3Error.NoSuchUpload);

    private static (string UploadId, int PartNumber) PartAddress(S3Request r)
    {
        var raw = r.Request.Query["partNumber"].ToString();
        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > MaxPartNumber)
            throw new S3Exception(S3Error.InvalidArgument.WithMessage("Part number must be an integer between 1 and 10000, inclusive"))
                .With("ArgumentName", "partNumber").With("ArgumentValue", raw);
        return (UploadId(r), n);
    }

    /// <summary>Where the completed object is, as S3 says it: the URL the client used, ending in the object's path.</summary>
    private static string ObjectLocation(S3Request r)
    {
        var request = r.Request;
        return $"{request.Scheme}://{request.Host}{r.Address.RawPath}";
    }

    private static string Invariant(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string? NullIfEmpty(Microsoft.Extensions.Primitives.StringValues v) =>
        string.IsNullOrEmpty(v.ToString()) ? null : v.ToString();
}
