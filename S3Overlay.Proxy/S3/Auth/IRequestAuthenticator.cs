namespace S3Overlay.S3.Auth;

/// <summary>
/// The front end's authentication step: verifies the request's signature (throwing an
/// S3Exception when it fails), sets <see cref="S3Request.AccessKey"/>, and wraps
/// <see cref="S3Request.Body"/> in a decoding/verifying stream where the payload needs one.
/// </summary>
internal interface IRequestAuthenticator
{
    ValueTask AuthenticateAsync(S3Request request);
}
