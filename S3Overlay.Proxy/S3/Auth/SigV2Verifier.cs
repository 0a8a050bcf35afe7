using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Routing;
using S3Overlay.Signing;

namespace S3Overlay.S3.Auth;

/// <summary>
/// Verifies the legacy AWS Signature Version 2 that older clients still send: the header
/// <c>Authorization: AWS AKID:signature</c> and the query <c>AWSAccessKeyId/Signature/Expires</c>.
/// </summary>
internal sealed class SigV2Verifier(AuthSettings settings, TimeProvider clock)
{
    /// <summary>The sub-resources that belong to the signed resource (as botocore and S3 list them).</summary>
    private static readonly HashSet<string> SubResources = new(StringComparer.Ordinal)
    {
        "accelerate", "acl", "analytics", "cors", "delete", "inventory", "legal-hold", "lifecycle", "location", "logging",
        "metrics", "notification", "object-lock", "partNumber", "policy", "replication", "requestPayment", "response-cache-control",
        "response-content-disposition", "response-content-encoding", "response-content-language", "response-content-type",
        "response-expires", "restore", "retention", "select", "select-type", "tagging", "torrent", "uploadId", "uploads",
        "versionId", "versioning", "versions", "website",
    };

    public SignedIdentity VerifyHeader(HttpRequest request, S3Address address, string authorization)
    {
        var credentials = authorization[4..].Trim();
        var colon = credentials.LastIndexOf(':');
        if (colon <= 0)
            throw new S3Exception(S3Error.InvalidArgument.WithMessage("AWS authorization header is invalid. Expected AwsAccessKeyId:signature"));
        RequestTime.CheckSkew(RequestTime.Of(request), clock);
        // With x-amz-date present, it is signed among the x-amz headers and the Date line stays empty.
        var dateLine = request.Headers.ContainsKey("x-amz-date") ? "" : request.Headers.Date.ToString();
        return Verify(request, address, credentials[..colon], credentials[(colon + 1)..], dateLine);
    }

    public SignedIdentity VerifyQuery(HttpRequest request, S3Address address)
    {
        var query = request.Query;
        var accessKey = query["AWSAccessKeyId"].ToString();
        var signature = query["Signature"].ToString();
        var expires = query["Expires"].ToString();
        if (accessKey.Length == 0 || signature.Length == 0 || !long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var expiresAt))
            throw new S3Exception(S3Error.AccessDenied.WithMessage("Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters."));
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        if (now > expiresAt)
            throw new S3Exception(S3Error.ExpiredPresignedRequest);
        // S3 lets a SigV2 link live forever; we hold it to SigV4's week, so a leaked link dies.
        if (expiresAt - now > SigV4Verifier.MaxPresignedExpirySeconds) throw PresignedExpiry.OverAWeek();
        return Verify(request, address, accessKey, signature, expires);
    }

    /// <summary>A browser upload's policy signed the legacy way: <c>signature</c> is the base64 HMAC-SHA1 of the base64 policy.</summary>
    public SignedIdentity VerifyPostPolicy(string policy, string accessKey, string? signature)
    {
        if (!settings.Users.TryGetSecret(accessKey, out var secret))
            throw new S3Exception(S3Error.InvalidAccessKeyId).With("AWSAccessKeyId", accessKey);
        var claimed = new byte[20];
        var actual = HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(policy));
        if (Convert.TryFromBase64String(signature ?? "", claimed, out var written) && written == 20 && CryptographicOperations.FixedTimeEquals(actual, claimed))
            return new SignedIdentity(accessKey, null);
        throw new S3Exception(S3Error.SignatureDoesNotMatch)
            .With("AWSAccessKeyId", accessKey)
            .With("StringToSign", policy)
            .With("SignatureProvided", signature ?? "");
    }

    private SignedIdentity Verify(HttpRequest request, S3Address address, string accessKey, string signature, string dateLine)
    {
        if (!settings.Users.TryGetSecret(accessKey, out var secret))
            throw new S3Exception(S3Error.InvalidAccessKeyId).With("AWSAccessKeyId", accessKey);
        var claimed = new byte[20];
        var claimedOk = Convert.TryFromBase64String(signature, claimed, out var written) && written == 20;

        var head = $"{request.Method}\n{request.Headers.ContentMD5}\n{request.Headers.ContentType}\n{dateLine}\n{AmzHeaders(request)}";
        var subResources = SubResourceQuery(request.QueryString.Value);
        var bucketPrefix = address.VirtualHosted ? "/" + address.Bucket : "";
        string? first = null;
        // The path as sent is what S3 signs; some legacy signers used the decoded path.
        foreach (var path in new[] { address.RawPath, Uri.UnescapeDataString(address.RawPath) }.Distinct())
        {
            var stringToSign = head + bucketPrefix + path + subResources;
            var actual = HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(stringToSign));
            if (claimedOk && CryptographicOperations.FixedTimeEquals(actual, claimed))
                return new SignedIdentity(accessKey, request.Headers["x-amz-content-sha256"].ToString() is { Length: > 0 } hash ? hash : null);
            first ??= stringToSign;
        }
        throw new S3Exception(S3Error.SignatureDoesNotMatch)
            .With("AWSAccessKeyId", accessKey)
            .With("StringToSign", first!)
            .With("SignatureProvided", signature);
    }

    /// <summary>The x-amz-* headers, lower-case and sorted, one <c>name:value</c> line each.</summary>
    private static string AmzHeaders(HttpRequest request)
    {
        var sb = new StringBuilder();
        foreach (var (name, values) in request.Headers
                     .Where(h => h.Key.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase))
                     .Select(h => (Name: h.Key.ToLowerInvariant(), h.Value))
                     .OrderBy(h => h.Name, StringComparer.Ordinal))
            sb.Append(name).Append(':').Append(string.Join(',', values.Select(v => SigV4.CanonicalHeaderValue(v ?? "")))).Append('\n');
        return sb.ToString();
    }

    /// <summary><c>?acl&amp;uploadId=…</c>: the signed sub-resources, sorted, with their values decoded.</summary>
    private static string SubResourceQuery(string? rawQuery)
    {
        if (string.IsNullOrEmpty(rawQuery)) return "";
        var kept = rawQuery.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2))
            .Select(p => (Name: Uri.UnescapeDataString(p[0]), Value: p.Length > 1 ? Uri.UnescapeDataString(p[1]) : null))
            .Where(p => SubResources.Contains(p.Name))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => p.Value is null ? p.Name : p.Name + "=" + p.Value)
            .ToArray();
        return kept.Length == 0 ? "" : "?" + string.Join('&', kept);
    }
}
