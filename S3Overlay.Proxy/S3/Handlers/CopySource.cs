using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;

namespace S3Overlay.S3.Handlers;

/// <summary>The object a copy reads from: the <c>x-amz-copy-source</c> header and its conditionals.</summary>
public sealed record CopySource(string Bucket, string Key)
{
    /// <summary>Parses <c>bucket/key</c> or <c>/bucket/key</c>, percent-encoded, with an optional <c>?versionId=</c>.</summary>
    public static CopySource Parse(StringValues header)
    {
        var value = header.ToString();
        var query = value.IndexOf('?');
        if (query >= 0)
        {
            var version = value[(query + 1)..];
            // Unversioned buckets know only the "null" version.
            if (version != "versionId=null")
                throw new S3Exception(S3Error.InvalidArgument.WithMessage("Invalid version id specified"))
                    .With("ArgumentName", "x-amz-copy-source");
            value = value[..query];
        }
        var path = Uri.UnescapeDataString(value.TrimStart('/'));
        var slash = path.IndexOf('/');
        if (slash <= 0 || slash == path.Length - 1)
            throw new S3Exception(S3Error.InvalidArgument.WithMessage("Copy Source must mention the source bucket and key: sourcebucket/sourcekey"))
                .With("ArgumentName", "x-amz-copy-source");
        return new CopySource(path[..slash], path[(slash + 1)..]);
    }

    /// <summary>
    /// The <c>x-amz-copy-source-range</c> of UploadPartCopy: absent, or exactly <c>bytes=first-last</c>
    /// (no open or suffix ranges, unlike a GET's Range).
    /// </summary>
    public static ByteRange? ParseRange(StringValues header)
    {
        if (StringValues.IsNullOrEmpty(header)) return null;
        return ByteRange.Parse(header.ToString()) is { First: not null, Last: not null } range
            ? range
            : throw InvalidRange("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy");
    }

    /// <summary>The <c>x-amz-copy-source-if-*</c> headers. Dates that do not parse are ignored, as S3 does.</summary>
    public static ReadConditions Conditions(HttpRequest request) => new(
        IfMatch: NullIfEmpty(request.Headers["x-amz-copy-source-if-match"]),
        IfNoneMatch: NullIfEmpty(request.Headers["x-amz-copy-source-if-none-match"]),
        IfModifiedSince: Date(request.Headers["x-amz-copy-source-if-modified-since"]),
        IfUnmodifiedSince: Date(request.Headers["x-amz-copy-source-if-unmodified-since"]));

    /// <summary>
    /// Opens the source for reading. A copy whose conditions fail answers 412, never 304, and a
    /// source range must lie wholly inside the object (a GET would shorten it; a copy refuses it).
    /// </summary>
    public async Task<ObjectContent> OpenAsync(IObjectStore store, ObjectReadRequest read, CancellationToken ct)
    {
        ObjectContent content;
        try
        {
            content = await store.GetObjectAsync(Bucket, Key, read, ct);
        }
        catch (S3Exception e) when (e.Error.Code == S3Error.NotModified.Code)
        {
            throw new S3Exception(S3Error.PreconditionFailed, inner: e);
        }
        catch (S3Exception e) when (e.Error.Code == S3Error.InvalidRange.Code && read.Range is not null)
        {
            throw InvalidRange("Range specified is not valid for source object", e);
        }
        if (read.Range is { Last: { } last } && content.Range?.Last != last)
        {
            await content.DisposeAsync();
            throw InvalidRange($"Range specified is not valid for source object of size: {content.Info.Size}");
        }
        return content;
    }

    private static S3Exception InvalidRange(string message, Exception? inner = null) =>
        new S3Exception(S3Error.InvalidArgument.WithMessage(message), inner: inner).With("ArgumentName", "x-amz-copy-source-range");

    private static string? NullIfEmpty(StringValues v) => StringValues.IsNullOrEmpty(v) ? null : v.ToString();

    private static DateTimeOffset? Date(StringValues v) =>
        HeaderUtilities.TryParseDate(v.ToString(), out var date) ? date : null;
}
