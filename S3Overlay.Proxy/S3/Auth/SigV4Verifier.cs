using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using S3Overlay.Configuration;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Payloads;
using S3Overlay.S3.Routing;
using S3Overlay.Signing;

namespace S3Overlay.S3.Auth;

/// <summary>Verifies AWS Signature Version 4: the Authorization header, and presigned URLs.</summary>
internal sealed class SigV4Verifier(AuthSettings settings, ServerSettings server, SigningKeyCache keys, TimeProvider clock)
{
    /// <summary>Presigned URLs live at most seven days, as on S3.</summary>
    public const int MaxPresignedExpirySeconds = 604800;

    /// <summary><c>AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=…</c></summary>
    public SignedIdentity VerifyHeader(HttpRequest request, S3Address address, string authorization)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in authorization[SigV4.Algorithm.Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            if (eq > 0) fields[part[..eq].Trim()] = part[(eq + 1)..].Trim();
        }
        if (!fields.TryGetValue("Credential", out var credential) || !fields.TryGetValue("SignedHeaders", out var signedHeaders)
            || !fields.TryGetValue("Signature", out var signature))
            throw Malformed(S3Error.AuthorizationHeaderMalformed, "it needs Credential, SignedHeaders and Signature");

        var time = RequestTime.Of(request);
        var timestamp = RequestTime.Basic(time);
        var scope = Scope(credential, timestamp, S3Error.AuthorizationHeaderMalformed);
        RequestTime.CheckSkew(time, clock);
        var payloadHash = request.Headers["x-amz-content-sha256"].ToString() is { Length: > 0 } sent ? sent : SigV4.EmptyPayloadSha256;
        Verify(request, address, scope, timestamp, signedHeaders, payloadHash, signature, presigned: false);
        return new SignedIdentity(scope.AccessKey, payloadHash, () => new ChunkSignatureChain(scope.SigningKey, timestamp, scope.Text, signature));
    }

    /// <summary><c>?X-Amz-Algorithm=AWS4-HMAC-SHA256&amp;X-Amz-Credential=…&amp;X-Amz-Date=…&amp;X-Amz-Expires=…&amp;X-Amz-SignedHeaders=…&amp;X-Amz-Signature=…</c></summary>
    public SignedIdentity VerifyPresigned(HttpRequest request, S3Address address)
    {
        var query = request.Query;
        string Required(string name) => query[name].ToString() is { Length: > 0 } value ? value
            : throw Malformed(S3Error.AuthorizationQueryParametersError, $"{name} is missing");

        if (Required("X-Amz-Algorithm") != SigV4.Algorithm)
            throw Malformed(S3Error.AuthorizationQueryParametersError, $"X-Amz-Algorithm must be {SigV4.Algorithm}");
        if (!RequestTime.TryParse(Required("X-Amz-Date"), out var time))
            throw Malformed(S3Error.AuthorizationQueryParametersError, "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
        var expires = PresignedExpiry.Seconds(Required("X-Amz-Expires"));
        var timestamp = RequestTime.Basic(time);
        var scope = Scope(Required("X-Amz-Credential"), timestamp, S3Error.AuthorizationQueryParametersError);

        var now = clock.GetUtcNow();
        if (time - now > RequestTime.MaxSkew) throw new S3Exception(S3Error.AccessDenied.WithMessage("Request is not valid yet."));
        if (now >= time.AddSeconds(expires)) throw new S3Exception(S3Error.ExpiredPresignedRequest);

        var sentHash = request.Headers["x-amz-content-sha256"].ToString();
        var signature = Required("X-Amz-Signature");
        Verify(request, address, scope, timestamp, Required("X-Amz-SignedHeaders"), sentHash.Length > 0 ? sentHash : SigV4.UnsignedPayload, signature, presigned: true);
        return new SignedIdentity(scope.AccessKey, sentHash.Length > 0 ? sentHash : null, () => new ChunkSignatureChain(scope.SigningKey, timestamp, scope.Text, signature));
    }

    /// <summary>
    /// A browser upload's policy (POST Object): <c>x-amz-signature</c> is the hex HMAC of the base64
    /// policy under the signing key of <c>x-amz-credential</c>. The policy's expiration, not
    /// <c>x-amz-date</c>, says how long it is good for.
    /// </summary>
    public SignedIdentity VerifyPostPolicy(string policy, string? algorithm, string? credential, string? date, string? signature)
    {
        if (algorithm != SigV4.Algorithm)
            throw new S3Exception(S3Error.InvalidArgument.WithMessage($"x-amz-algorithm must be {SigV4.Algorithm}.")).With("ArgumentName", "x-amz-algorithm");
        if (date is null || !RequestTime.TryParse(date, out var time))
            throw new S3Exception(S3Error.InvalidArgument.WithMessage("x-amz-date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\".")).With("ArgumentName", "x-amz-date");
        if (credential is null)
            throw new S3Exception(S3Error.InvalidArgument.WithMessage("Bucket POST must contain a field named 'x-amz-credential'.")).With("ArgumentName", "x-amz-credential");
        var scope = Scope(credential, RequestTime.Basic(time), S3Error.InvalidArgument);
        var claimed = new byte[32];
        var actual = HMACSHA256.HashData(scope.SigningKey, Encoding.UTF8.GetBytes(policy));
        if (signature is { Length: 64 } && Convert.FromHexString(signature, claimed, out _, out _) == System.Buffers.OperationStatus.Done
            && CryptographicOperations.FixedTimeEquals(actual, claimed))
            return new SignedIdentity(scope.AccessKey, null);
        throw new S3Exception(S3Error.SignatureDoesNotMatch)
            .With("AWSAccessKeyId", scope.AccessKey)
            .With("StringToSign", policy)
            .With("SignatureProvided", signature ?? "");
    }

    private sealed record CredentialScope(string AccessKey, string Text, byte[] SigningKey);

    /// <summary><c>AKID/date/region/s3/aws4_request</c>: the user, and the signing key it implies.</summary>
    /// <param name="timestamp">The request's time as signed (<see cref="RequestTime.Basic"/>): the credential's date must be its day.</param>
    private CredentialScope Scope(string credential, string timestamp, S3Error malformed)
    {
        var parts = credential.Split('/');
        if (parts.Length < 5 || parts[^1] != "aws4_request")
            throw Malformed(malformed, "the Credential must be AccessKey/date/region/s3/aws4_request");
        var (date, region, service) = (parts[^4], parts[^3], parts[^2]);
        var accessKey = string.Join('/', parts[..^4]);
        if (!settings.Users.TryGetSecret(accessKey, out var secret))
            throw new S3Exception(S3Error.InvalidAccessKeyId).With("AWSAccessKeyId", accessKey);
        if (service != "s3")
            throw Malformed(malformed, $"the service '{service}' is wrong; expecting 's3'");
        if (!timestamp.AsSpan(0, 8).SequenceEqual(date))
            throw Malformed(malformed, "the credential date is not the date of X-Amz-Date");
        // Clients that do not know the region sign for us-east-1 (s3cmd, boto3 defaults) or "auto" (R2 style).
        if (region != server.Region && region != "us-east-1" && region != "auto")
            throw new S3Exception(malformed.WithMessage($"The authorization header is malformed; the region '{region}' is wrong; expecting '{server.Region}'."))
                .With("Region", server.Region);
        return new CredentialScope(accessKey, $"{date}/{region}/{service}/aws4_request", keys.Get(accessKey, secret, date, region, service));
    }

    private static void Verify(HttpRequest request, S3Address address, CredentialScope scope, string timestamp,
        string signedHeaders, string payloadHash, string signature, bool presigned)
    {
        Span<byte> claimed = stackalloc byte[32], actual = stackalloc byte[32];
        var hexOk = signature.Length == 64 && Convert.FromHexString(signature, claimed, out _, out _) == System.Buffers.OperationStatus.Done;
        var names = signedHeaders.Split(';');
        UnsignedHeaders.Refuse(request, names, presigned);
        var headers = names.Select(name => (name, HeaderValue(request, name))).ToArray();
        var query = SigV4.CanonicalQuery(request.QueryString.Value, presigned ? "X-Amz-Signature" : null);

        string? firstCanonical = null, firstStringToSign = null;
        foreach (var uri in CanonicalUris(address.RawPath))
        {
            var canonical = SigV4.CanonicalRequest(request.Method, uri, query, headers, signedHeaders, payloadHash);
            var stringToSign = SigV4.StringToSign(timestamp, scope.Text, canonical);
            SignatureHashes.HmacSha256(scope.SigningKey, stringToSign, actual);
            if (hexOk && CryptographicOperations.FixedTimeEquals(actual, claimed)) return;
            firstCanonical ??= canonical;
            firstStringToSign ??= stringToSign;
        }
        throw new S3Exception(S3Error.SignatureDoesNotMatch)
            .With("AWSAccessKeyId", scope.AccessKey)
            .With("StringToSign", firstStringToSign!)
            .With("SignatureProvided", signature)
            .With("CanonicalRequest", firstCanonical!);
    }

    /// <summary>
    /// S3 signs the path exactly as sent, neither normalised nor encoded twice. A client that sent
    /// a character raw but signed it encoded (or the reverse) is given its canonical encoding too.
    /// </summary>
    private static IEnumerable<string> CanonicalUris(string rawPath)
    {
        yield return rawPath;
        var reencoded = SigV4.UriEncode(Uri.UnescapeDataString(rawPath), keepSlash: true);
        if (reencoded != rawPath) yield return reencoded;
    }

    private static string HeaderValue(HttpRequest request, string name) =>
        name == "host" ? request.Headers.Host.ToString() : string.Join(',', request.Headers[name].Select(v => SigV4.CanonicalHeaderValue(v ?? "")));

    private static S3Exception Malformed(S3Error error, string why) =>
        new(error.WithMessage($"{error.Message.TrimEnd('.')}: {why}."));
}
