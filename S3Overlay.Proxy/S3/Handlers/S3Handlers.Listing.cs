namespace S3Overlay.S3.Handlers;

public sealed partial class S3Handlers
{
    public Task ListObjectsV2(S3Request r) => NotYet();
    public Task ListObjects(S3Request r) => NotYet();
}
