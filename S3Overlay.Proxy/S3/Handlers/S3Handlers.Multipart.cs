namespace S3Overlay.S3.Handlers;

public sealed partial class S3Handlers
{
    public Task CreateMultipartUpload(S3Request r) => NotYet();
    public Task UploadPart(S3Request r) => NotYet();
    public Task UploadPartCopy(S3Request r) => NotYet();
    public Task CompleteMultipartUpload(S3Request r) => NotYet();
    public Task AbortMultipartUpload(S3Request r) => NotYet();
    public Task ListParts(S3Request r) => NotYet();
    public Task ListMultipartUploads(S3Request r) => NotYet();
}
