using System.Data.Common;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace S3Overlay.AppHost.Seeding;

/// <summary>One object the fake remote starts with; <see cref="Text"/> null means <see cref="Size"/> pattern bytes.</summary>
public sealed record DemoObject(string Key, string ContentType, string? Text, long Size);

/// <summary>
/// What the fake remote ("remote") holds when the AppHost starts: a few small objects and two over
/// the chunk threshold, so the first GET through the proxy shows a remote fill (and chunk fills) in
/// the dashboard's traces, and the second a local hit.
/// </summary>
public static class DemoObjects
{
    /// <summary>The bucket on the remote; the proxy maps its local <see cref="LocalBucket"/> onto it.</summary>
    public const string RemoteBucket = "demo-origin";
    public const string LocalBucket = "demo";
    public const string BucketMapping = LocalBucket + ":" + RemoteBucket;

    private const long MiB = 1024 * 1024;

    /// <summary>Small enough to keep the demo (and the contract test) quick, large enough for three chunks.</summary>
    public const long ChunkSize = 4 * MiB;
    public const long ChunkThreshold = 8 * MiB;

    /// <summary>Over the threshold and not a multiple of the chunk size: three chunks, the last one short.</summary>
    public const string LargeKey = "large/pattern.bin";
    public const long LargeSize = 10 * MiB + 12_345;

    /// <summary>A second large object, so a whole cold chunked read can be shown after the first one's chunks are cached.</summary>
    public const string SecondLargeKey = "large/second.bin";
    public const long SecondLargeSize = 9 * MiB + 4_321;

    public static IReadOnlyList<DemoObject> All { get; } =
    [
        Small("hello.txt", "text/plain", "Hello from the remote bucket. Read me twice: the second time comes from the local store.\n"),
        Small("docs/readme.md", "text/markdown", "# Demo\n\nObjects under demo/ are filled from the remote on first read.\n"),
        Small("data/numbers.csv", "text/csv", "n,square\n1,1\n2,4\n3,9\n4,16\n"),
        new(LargeKey, "application/octet-stream", null, LargeSize),
        new(SecondLargeKey, "application/octet-stream", null, SecondLargeSize),
    ];

    private static DemoObject Small(string key, string contentType, string text) =>
        new(key, contentType, text, Encoding.UTF8.GetByteCount(text));

    /// <summary>The object's bytes, produced as they are read.</summary>
    public static Stream OpenContent(DemoObject item) =>
        item.Text is null ? new PatternStream(item.Size) : new MemoryStream(Encoding.UTF8.GetBytes(item.Text), writable: false);

    /// <summary>
    /// Creates <see cref="RemoteBucket"/> and uploads every demo object, over an S3 connection string
    /// as Aspire writes it for MinIO: <c>Endpoint=http://host:port;AccessKey=...;SecretKey=...</c>.
    /// Running it twice is harmless.
    /// </summary>
    public static async Task SeedAsync(string connectionString, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        using var client = CreateClient(connectionString);
        try
        {
            await client.PutBucketAsync(RemoteBucket, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
        {
        }

        foreach (var item in All)
        {
            await using var content = OpenContent(item);
            await client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = RemoteBucket,
                Key = item.Key,
                InputStream = content,
                ContentType = item.ContentType,
                // Plain http to a third-party server: a signed plain body, not aws-chunked (s3rver stores that verbatim).
                UseChunkEncoding = false,
                AutoCloseStream = false,
            }, cancellationToken);
            log?.Invoke($"seeded {RemoteBucket}/{item.Key} ({item.Size} bytes)");
        }
    }

    /// <summary>An S3 client for a MinIO-style connection string (path style, checksums only when required).</summary>
    public static AmazonS3Client CreateClient(string connectionString)
    {
        // DbConnectionStringBuilder parses key=value;... with the usual quoting rules, keys case-insensitive.
        var parts = new DbConnectionStringBuilder { ConnectionString = connectionString };
        string Part(string key) => parts.TryGetValue(key, out var value) && value is string text && text.Length > 0
            ? text
            : throw new ArgumentException($"The connection string has no {key}.", nameof(connectionString));

        var config = new AmazonS3Config
        {
            ServiceURL = Part("Endpoint"),
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        return new AmazonS3Client(new BasicAWSCredentials(Part("AccessKey"), Part("SecretKey")), config);
    }
}
