using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace S3Overlay.S3.Routing;

/// <summary>
/// Where a request points: the bucket and key, from virtual-host style
/// (<c>bucket.base-domain/key</c>) or path style (<c>/bucket/key</c>).
/// </summary>
/// <param name="RawPath">The request target's path exactly as sent (percent-encoded), which SigV4 signs.</param>
internal sealed record S3Address(string? Bucket, string? Key, bool VirtualHosted, string RawPath)
{
    /// <summary>
    /// Reads the address from the raw request target, not from the decoded Path, so keys keep
    /// <c>%2F</c>, <c>..</c> and <c>//</c> exactly as the client sent them.
    /// </summary>
    public static S3Address From(HttpContext context, string? baseDomain)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "/";
        var query = raw.IndexOf('?');
        var rawPath = query >= 0 ? raw[..query] : raw;
        if (rawPath.Length == 0 || rawPath[0] != '/') rawPath = "/" + rawPath;

        var hostBucket = BucketFromHost(context.Request.Host.Host, baseDomain);
        if (hostBucket is not null)
            return Checked(new S3Address(hostBucket, NullIfEmpty(Decode(rawPath[1..])), true, rawPath));

        var rest = rawPath[1..];
        var slash = rest.IndexOf('/');
        var bucket = slash < 0 ? rest : rest[..slash];
        var key = slash < 0 ? null : rest[(slash + 1)..];
        return Checked(new S3Address(NullIfEmpty(Decode(bucket)), NullIfEmpty(key is null ? null : Decode(key)), false, rawPath));
    }

    // A name that can never be a bucket (".." from "/%2e%2e/x", a separator) stops here, before
    // any handler or store sees it.
    private static S3Address Checked(S3Address address) =>
        address.Bucket is { } bucket && !BucketNames.IsAddressable(bucket) ? throw BucketNames.Invalid(bucket) : address;

    private static string? BucketFromHost(string host, string? baseDomain)
    {
        if (string.IsNullOrEmpty(baseDomain)) return null;
        var suffix = "." + baseDomain;
        return host.Length > suffix.Length && host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
            ? host[..^suffix.Length]
            : null;
    }

    // Uri.UnescapeDataString decodes UTF-8 percent sequences and leaves '+' alone, as S3 does in paths.
    private static string Decode(string s) => s.Contains('%') ? Uri.UnescapeDataString(s) : s;

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
