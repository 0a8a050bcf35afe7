namespace S3Overlay.S3.Handlers;

public sealed partial class S3Handlers
{
    public Task GetObject(S3Request r) => NotYet();
    public Task HeadObject(S3Request r) => NotYet();
    public Task PutObject(S3Request r) => NotYet();
    public Task DeleteObject(S3Request r) => NotYet();
    public Task DeleteObjects(S3Request r) => NotYet();
    public Task CopyObject(S3Request r) => NotYet();
}
