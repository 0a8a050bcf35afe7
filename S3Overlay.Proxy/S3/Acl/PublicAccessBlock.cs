using System.Xml.Linq;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Xml;
using S3Overlay.Storage;

namespace S3Overlay.S3.Acl;

/// <summary>
/// A bucket's PublicAccessBlock configuration, as S3 applies it: BlockPublicAcls refuses (403)
/// setting an ACL that grants AllUsers or AuthenticatedUsers anything; IgnorePublicAcls makes such
/// grants count for nothing; BlockPublicPolicy refuses a bucket policy that lets everyone in;
/// RestrictPublicBuckets lets a public bucket policy allow only the bucket's owner. Stored as four
/// digits (<c>1010</c>) in that order.
/// </summary>
internal sealed record PublicAccessBlock(bool BlockPublicAcls, bool IgnorePublicAcls, bool BlockPublicPolicy, bool RestrictPublicBuckets)
{
    public static readonly PublicAccessBlock None = new(false, false, false, false);

    private static readonly string[] Names = ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"];

    private bool[] Flags => [BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets];

    public string ToText() => string.Concat(Flags.Select(f => f ? '1' : '0'));

    public static PublicAccessBlock? Parse(string? text) =>
        text is { Length: 4 } ? new(text[0] == '1', text[1] == '1', text[2] == '1', text[3] == '1') : null;

    /// <summary>A <c>PublicAccessBlockConfiguration</c> document; a flag left out is false, as on S3.</summary>
    public static PublicAccessBlock FromXml(XElement document)
    {
        if (document.Name.LocalName != "PublicAccessBlockConfiguration") throw new S3Exception(S3Error.MalformedXML);
        var flags = Names.Select(name => document.ChildText(name) switch
        {
            null or "false" => false,
            "true" => true,
            _ => throw new S3Exception(S3Error.MalformedXML),
        }).ToArray();
        return new(flags[0], flags[1], flags[2], flags[3]);
    }

    public async Task WriteXmlAsync(Microsoft.AspNetCore.Http.HttpResponse response) =>
        await S3XmlResponse.WriteAsync(response, "PublicAccessBlockConfiguration", async xml =>
        {
            foreach (var (name, flag) in Names.Zip(Flags)) await xml.ElementAsync(name, flag);
        });

    /// <summary>Refuses an ACL that BlockPublicAcls forbids: 403 AccessDenied, as S3 answers.</summary>
    public void CheckAcl(AccessControlList acl)
    {
        if (BlockPublicAcls && acl.IsPublic) throw new S3Exception(S3Error.AccessDenied);
    }
}

/// <summary>The buckets' PublicAccessBlock configurations, read once and remembered (<see cref="BucketSettingCache{T}"/>).</summary>
internal sealed class BucketPublicAccessBlocks(Storage.IObjectStore store, TimeProvider clock)
    : BucketSettingCache<PublicAccessBlock>(store, clock, BucketSettings.PublicAccessBlock)
{
    private readonly Storage.IObjectStore _store = store;

    protected override PublicAccessBlock? Parse(string bucket, string? text) => PublicAccessBlock.Parse(text);

    /// <summary>The bucket's configuration; <see cref="PublicAccessBlock.None"/> when it has none.</summary>
    public async Task<PublicAccessBlock> GetAsync(string bucket, CancellationToken ct) => await OfAsync(bucket, ct) ?? PublicAccessBlock.None;

    public async Task SetAsync(string bucket, PublicAccessBlock? block, CancellationToken ct)
    {
        await _store.PutBucketSettingAsync(bucket, BucketSettings.PublicAccessBlock, block?.ToText(), ct);
        Forget(bucket);
    }
}
