namespace S3Overlay.Storage;

public sealed record BucketInfo(string Name, DateTimeOffset CreationDate);
