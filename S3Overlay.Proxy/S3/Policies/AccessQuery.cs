using System.Net;

namespace S3Overlay.S3.Policies;

/// <summary>
/// One question put to a policy: may <see cref="Principal"/> do <see cref="Action"/> on
/// <see cref="Resource"/>, given the request's condition keys.
/// </summary>
/// <param name="Action">An action of <see cref="S3Actions.Known"/>, e.g. <c>s3:GetObject</c>.</param>
/// <param name="Resource">The ARN without <c>arn:aws:s3:::</c>: <c>bucket</c>, <c>bucket/key</c>, or empty for the service (ListAllMyBuckets).</param>
/// <param name="Principal">The caller's access key; null when anonymous.</param>
/// <param name="Keys">The request's condition keys (<c>s3:prefix</c>, <c>aws:SourceIp</c>…).</param>
/// <param name="ExistingTags">The object's tags (<c>s3:ExistingObjectTag/…</c>), read only when a policy that judges the request names one.</param>
internal readonly record struct AccessQuery(string Action, string Resource, string? Principal, ConditionKeys Keys, IReadOnlyDictionary<string, string>? ExistingTags = null);

/// <summary>The values of the condition keys a request carries; a key the request lacks is null.</summary>
internal sealed partial class ConditionKeys
{
    public static readonly ConditionKeys None = new();

    /// <summary><c>s3:prefix</c> of a listing: the empty string when it names none, as S3 evaluates a listing of the bucket's root.</summary>
    public string? Prefix { get; init; }
    public string? Delimiter { get; init; }
    public string? MaxKeys { get; init; }
    public IPAddress? SourceIp { get; init; }
    public bool SecureTransport { get; init; }
    public string? UserName { get; init; }

    private static readonly HashSet<string> Listings = ["ListObjects", "ListObjectsV2", "ListMultipartUploads"];

    public static ConditionKeys Of(S3Request r)
    {
        var query = r.Request.Query;
        var listing = Listings.Contains(r.Operation);
        var ip = r.Http.Connection.RemoteIpAddress;
        return new ConditionKeys
        {
            // S3 evaluates a listing without a prefix as one with the empty prefix (policies grant "" for the bucket's root).
            Prefix = listing ? query["prefix"].ToString() : null,
            Delimiter = listing && query.TryGetValue("delimiter", out var delimiter) ? delimiter.ToString() : null,
            MaxKeys = listing && query.TryGetValue("max-keys", out var maxKeys) ? maxKeys.ToString() : null,
            SourceIp = ip is { IsIPv4MappedToIPv6: true } ? ip.MapToIPv4() : ip,
            SecureTransport = r.Request.IsHttps,
            UserName = r.User?.AccessKey,
            Headers = r.Request.Headers,
            RequestTags = RequestTagsOf(r),
            Target = r.Address.Key is { } key ? (r.Bucket, key) : null,
            VersionId = r.Address.Key is not null && query.TryGetValue("versionId", out var versionId) ? versionId.ToString() : null,
        };
    }

    /// <summary>The key's value; the names compare without case, as IAM's do.</summary>
    public string? Value(string key) => key.ToLowerInvariant() switch
    {
        "s3:prefix" => Prefix,
        "s3:delimiter" => Delimiter,
        "s3:max-keys" => MaxKeys,
        "aws:sourceip" => SourceIp?.ToString(),
        "aws:securetransport" => SecureTransport ? "true" : "false",
        "aws:username" or "aws:userid" => UserName,
        _ => RequestValue(key),
    };
}
