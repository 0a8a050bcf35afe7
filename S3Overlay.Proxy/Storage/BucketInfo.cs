namespace S3Overlay.Storage;

internal sealed record BucketInfo(string Name, DateTimeOffset CreationDate);
