using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using S3Overlay.S3.Errors;

namespace S3Overlay.S3.Policies;

/// <summary>
/// The condition keys read from the request itself: its <c>x-amz-*</c> headers
/// (<c>s3:x-amz-acl</c>, <c>s3:x-amz-copy-source</c>…), the tags it sets
/// (<c>s3:RequestObjectTag/&lt;key&gt;</c>, <c>s3:RequestObjectTagKeys</c>) and the version it names.
/// </summary>
internal sealed partial class ConditionKeys
{
    public const string RequestObjectTagPrefix = "s3:RequestObjectTag/";
    public const string ExistingObjectTagPrefix = "s3:ExistingObjectTag/";
    public const string RequestObjectTagKeys = "s3:RequestObjectTagKeys";

    public IHeaderDictionary? Headers { get; init; }

    /// <summary>The tags of the request's <c>x-amz-tagging</c> (a write's); null when it sets none.</summary>
    public IReadOnlyDictionary<string, string>? RequestTags { get; init; }

    /// <summary>The object version the request names (<c>?versionId=</c>), of <see cref="Target"/>.</summary>
    public string? VersionId { get; init; }

    /// <summary>The object the request is about; null for a bucket's or the service's.</summary>
    public (string Bucket, string Key)? Target { get; init; }

    /// <summary>Whether the request is about this object (not, say, a copy's source).</summary>
    public bool Names(string bucket, string key) => Target == (bucket, key);

    /// <summary>
    /// Every value of a key that may have several (<c>s3:RequestObjectTagKeys</c>: empty when the
    /// request sets no tags), for <c>ForAllValues:</c> and <c>ForAnyValue:</c>; null for a key that has one value.
    /// </summary>
    public IReadOnlyList<string>? Values(string key) =>
        key.Equals(RequestObjectTagKeys, StringComparison.OrdinalIgnoreCase) ? RequestTags?.Keys.ToArray() ?? [] : null;

    private string? RequestValue(string key)
    {
        // The tag key after the prefix keeps its case: tag keys are case-sensitive.
        if (key.StartsWith(RequestObjectTagPrefix, StringComparison.OrdinalIgnoreCase))
            return RequestTags?.GetValueOrDefault(key[RequestObjectTagPrefix.Length..]);
        if (key.Equals(RequestObjectTagKeys, StringComparison.OrdinalIgnoreCase))
            return RequestTags is { Count: > 0 } tags ? string.Join(',', tags.Keys) : null;
        if (key.Equals("s3:VersionId", StringComparison.OrdinalIgnoreCase)) return VersionId;
        if (!key.StartsWith("s3:x-amz-", StringComparison.OrdinalIgnoreCase) || Headers is null) return null;
        var header = key[3..];
        if (!Headers.TryGetValue(header, out var value)) return null;
        return header.Equals("x-amz-copy-source", StringComparison.OrdinalIgnoreCase) ? CopySourceValue(value.ToString()) : value.ToString();
    }

    /// <summary><c>bucket/key</c>, decoded, as policies name a copy's source; null for a header the copy itself refuses.</summary>
    private static string? CopySourceValue(string header)
    {
        try
        {
            var (bucket, key) = Http.CopySource.Parse(header);
            return bucket + "/" + key;
        }
        catch (S3Exception)
        {
            return null;
        }
    }

    /// <summary>The tags a write sets in <c>x-amz-tagging</c>, read as leniently as a policy needs: the handler refuses a bad set.</summary>
    private static IReadOnlyDictionary<string, string>? RequestTagsOf(S3Request r)
    {
        if (r.Address.Key is null || !r.Request.Headers.TryGetValue(Tagging.TagSet.Header, out var header)) return null;
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, values) in QueryHelpers.ParseQuery(header.ToString())) tags.TryAdd(key, values.ToString());
        return tags;
    }
}
