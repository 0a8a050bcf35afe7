using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// One proxy (with its own temp data folder) for a test class; each test makes its own bucket,
/// so tests in the class do not see each other's objects.
/// </summary>
public sealed class S3Fixture : IAsyncLifetime
{
    private int _buckets;

    public ProxyServer Proxy { get; private set; } = null!;
    public AmazonS3Client Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Proxy = await ProxyServer.StartAsync();
        Client = Proxy.CreateClient(defaults: false);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Proxy.DisposeAsync();
    }

    /// <summary>Creates a fresh, empty bucket with a unique name.</summary>
    public async Task<string> NewBucketAsync()
    {
        var name = $"test-{Interlocked.Increment(ref _buckets)}-{Guid.NewGuid():N}"[..30];
        await Client.PutBucketAsync(name);
        return name;
    }

    public Task<PutObjectResponse> PutAsync(string bucket, string key, string body, Action<PutObjectRequest>? configure = null) =>
        PutAsync(bucket, key, System.Text.Encoding.UTF8.GetBytes(body), configure);

    public async Task<PutObjectResponse> PutAsync(string bucket, string key, byte[] body, Action<PutObjectRequest>? configure = null)
    {
        var request = new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(body), UseChunkEncoding = false };
        configure?.Invoke(request);
        return await Client.PutObjectAsync(request);
    }

    public async Task<byte[]> GetBytesAsync(string bucket, string key)
    {
        using var response = await Client.GetObjectAsync(bucket, key);
        using var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy);
        return copy.ToArray();
    }

    public async Task<string> GetTextAsync(string bucket, string key) =>
        System.Text.Encoding.UTF8.GetString(await GetBytesAsync(bucket, key));

    /// <summary>Deterministic bytes, so a wrong offset shows as wrong content.</summary>
    public static byte[] Pattern(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++) bytes[i] = (byte)(i * 7 + i / 251);
        return bytes;
    }
}
