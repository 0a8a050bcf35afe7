using Amazon.S3;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>An S3 server's address and the keys of one of its users.</summary>
public sealed record S3User(string Url, string AccessKey, string SecretKey)
{
    /// <inheritdoc cref="S3Clients.Create"/>
    public AmazonS3Client CreateClient(bool defaults = false) => S3Clients.Create(Url, AccessKey, SecretKey, defaults);

    /// <summary>
    /// A proxy's settings that make this server, as this user, its local store: the one place the
    /// tests spell them (a new set each time, for a test to add its own to).
    /// </summary>
    public Dictionary<string, string?> AsLocalStore() => new()
    {
        ["S3_OVERLAY_LOCAL_ENDPOINT"] = Url,
        ["S3_OVERLAY_LOCAL_ACCESS_KEY"] = AccessKey,
        ["S3_OVERLAY_LOCAL_SECRET_KEY"] = SecretKey,
    };
}
