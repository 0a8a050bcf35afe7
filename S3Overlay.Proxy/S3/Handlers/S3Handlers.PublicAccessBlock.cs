using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Acl;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Xml;

namespace S3Overlay.S3.Handlers;

/// <summary>A bucket's PublicAccessBlock (<c>?publicAccessBlock</c>), kept as a bucket setting and applied where ACLs and policies are (<see cref="PublicAccessBlock"/>).</summary>
internal sealed partial class S3Handlers
{
    private static readonly S3Error NoSuchPublicAccessBlockConfiguration =
        new("NoSuchPublicAccessBlockConfiguration", 404, "The public access block configuration was not found");

    public async Task GetPublicAccessBlock(S3Request r)
    {
        var block = await publicAccessBlocks.OfAsync(r.Bucket, r.Aborted)
            ?? throw new S3Exception(NoSuchPublicAccessBlockConfiguration, r.Bucket).With("BucketName", r.Bucket);
        await block.WriteXmlAsync(r.Response);
    }

    public async Task PutPublicAccessBlock(S3Request r)
    {
        var block = PublicAccessBlock.FromXml(await S3XmlRequest.ReadAsync(r, 16 * 1024));
        await publicAccessBlocks.SetAsync(r.Bucket, block, r.Aborted);
        r.Response.StatusCode = StatusCodes.Status200OK;
        r.Response.ContentLength = 0;
    }

    public async Task DeletePublicAccessBlock(S3Request r)
    {
        await publicAccessBlocks.SetAsync(r.Bucket, null, r.Aborted);
        r.Response.StatusCode = StatusCodes.Status204NoContent;
    }
}
