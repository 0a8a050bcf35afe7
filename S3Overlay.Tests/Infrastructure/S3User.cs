using Amazon.S3;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>An S3 server's address and the keys of one of its users.</summary>
public sealed record S3User(string Url, string AccessKey, string SecretKey)
{
    /// <inheritdoc cref="S3Clients.Create"/>
    public AmazonS3Client CreateClient(bool defaults = false) => S3Clients.Create(Url, AccessKey, SecretKey, defaults);
}
