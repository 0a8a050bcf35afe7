using S3Overlay.S3.Acl;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Payloads;
using S3Overlay.S3.Policies;
using S3Overlay.Signing;

namespace S3Overlay.S3.Auth;

/// <summary>
/// Authenticates every S3 request: SigV4 (header or presigned), SigV2 (header or query), or
/// anonymous; has <see cref="RequestAuthorizer"/> decide whether its caller may do it; then
/// installs the payload's decoding and verifying streams.
/// </summary>
internal sealed class RequestAuthenticator(SigV4Verifier v4, SigV2Verifier v2, AuthSettings settings, RequestAuthorizer authorizer) : IRequestAuthenticator
{
    public async ValueTask AuthenticateAsync(S3Request r)
    {
        // A browser upload carries its credentials in the form, not the headers: its handler
        // verifies them (or the bucket's ACL) before it stores a byte.
        if (r.Operation == PostObject.PostObjectUpload.Operation) return;
        var request = r.Request;
        var authorization = request.Headers.Authorization.ToString();
        var query = request.Query;
        var presignedV4 = query.ContainsKey("X-Amz-Algorithm") || query.ContainsKey("X-Amz-Credential");
        var presignedV2 = query.ContainsKey("AWSAccessKeyId");
        if (authorization.Length > 0 && (presignedV4 || presignedV2))
            throw new S3Exception(S3Error.InvalidArgument.WithMessage("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified."));

        SignedIdentity? identity;
        if (authorization.StartsWith(SigV4.Algorithm + " ", StringComparison.Ordinal)) identity = v4.VerifyHeader(request, r.Address, authorization);
        else if (authorization.StartsWith("AWS ", StringComparison.Ordinal)) identity = v2.VerifyHeader(request, r.Address, authorization);
        else if (authorization.Length > 0) throw new S3Exception(S3Error.InvalidArgument.WithMessage("Unsupported Authorization Type."));
        else if (presignedV4) identity = v4.VerifyPresigned(request, r.Address);
        else if (presignedV2) identity = v2.VerifyQuery(request, r.Address);
        else identity = null;
        r.AccessKey = identity?.AccessKey;
        r.User = UserOf(identity, settings);
        await authorizer.AuthorizeAsync(r);
        if (identity is null && query.Keys.Any(name => name.StartsWith("response-", StringComparison.Ordinal)))
            throw new S3Exception(S3Error.InvalidRequest.WithMessage("Request specific response headers cannot be used for anonymous GET requests."));

        RequestPayload.Install(r, identity?.PayloadHash, identity?.Chunks);
    }

    /// <summary>The signer; InvalidAccessKeyId when the users file removed it since its signature was checked.</summary>
    public static S3User? UserOf(SignedIdentity? identity, AuthSettings settings) =>
        identity is null ? null
        : settings.Users.Find(identity.AccessKey) ?? throw new S3Exception(S3Error.InvalidAccessKeyId).With("AWSAccessKeyId", identity.AccessKey);
}
