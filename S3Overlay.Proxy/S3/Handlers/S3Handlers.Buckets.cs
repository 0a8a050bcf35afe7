namespace S3Overlay.S3.Handlers;

public sealed partial class S3Handlers
{
    public Task ListBuckets(S3Request r) => NotYet();
    public Task GetBucketLocation(S3Request r) => NotYet();
    public Task GetBucketVersioning(S3Request r) => NotYet();
    public Task HeadBucket(S3Request r) => NotYet();
    public Task CreateBucket(S3Request r) => NotYet();
    public Task DeleteBucket(S3Request r) => NotYet();
}
