using S3Overlay.S3.Errors;

namespace S3Overlay.S3.Http;

/// <summary>The <c>x-amz-copy-source</c> header: <c>[/]bucket/key[?versionId=…]</c>, URL-encoded.</summary>
internal static class CopySource
{
    public static (string Bucket, string Key) Parse(string header)
    {
        // The query is split off before decoding: a '?' inside the key arrives as %3F.
        var query = header.IndexOf('?');
        var path = query >= 0 ? header[..query] : header;
        var decoded = Uri.UnescapeDataString(path);
        if (decoded.StartsWith('/')) decoded = decoded[1..];
        var slash = decoded.IndexOf('/');
        if (slash <= 0 || slash == decoded.Length - 1) throw Invalid();
        var bucket = decoded[..slash];
        if (!BucketNames.IsAddressable(bucket)) throw BucketNames.Invalid(bucket);
        return (bucket, decoded[(slash + 1)..]);
    }

    /// <summary>The source's version (<c>?versionId=</c> after the key); null for its current version.</summary>
    public static string? VersionId(string header)
    {
        var query = header.IndexOf('?');
        if (query < 0) return null;
        var versionId = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(header[query..]).TryGetValue("versionId", out var v) ? v.ToString() : null;
        return versionId is null or { Length: > 0 } ? versionId
            : throw new S3Exception(S3Error.InvalidArgument.WithMessage("Version id cannot be the empty string")).With("ArgumentName", "x-amz-copy-source");
    }

    private static S3Exception Invalid() =>
        new S3Exception(S3Error.InvalidArgument.WithMessage("Copy Source must mention the source bucket and key: sourcebucket/sourcekey."))
            .With("ArgumentName", "x-amz-copy-source");
}
