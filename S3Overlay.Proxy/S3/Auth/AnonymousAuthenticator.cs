namespace S3Overlay.S3.Auth;

/// <summary>Accepts every request unchecked. A placeholder until signatures are verified.</summary>
public sealed class AnonymousAuthenticator : IRequestAuthenticator
{
    public ValueTask AuthenticateAsync(S3Request request) => ValueTask.CompletedTask;
}
