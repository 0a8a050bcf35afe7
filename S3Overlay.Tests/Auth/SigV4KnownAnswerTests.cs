using System.Security.Cryptography;
using System.Text;
using S3Overlay.S3.Payloads;
using S3Overlay.Signing;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Auth;

/// <summary>The worked examples of AWS's "Authenticating Requests (AWS Signature Version 4)" documentation.</summary>
[UnitTests]
public class SigV4KnownAnswerTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string Timestamp = "20130524T000000Z";
    private const string Scope = "20130524/us-east-1/s3/aws4_request";
    private static readonly byte[] Key = SigV4.DeriveSigningKey(Secret, "20130524", "us-east-1", "s3");

    [Fact]
    public void Get_object_with_a_range_header()
    {
        (string, string)[] headers =
        [
            ("host", "examplebucket.s3.amazonaws.com"), ("range", "bytes=0-9"),
            ("x-amz-content-sha256", SigV4.EmptyPayloadSha256), ("x-amz-date", Timestamp),
        ];
        var canonical = SigV4.CanonicalRequest("GET", "/test.txt", "", headers, "host;range;x-amz-content-sha256;x-amz-date", SigV4.EmptyPayloadSha256);
        Assert.Equal("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41", Sign(canonical));
    }

    [Fact]
    public void Presigned_get_object()
    {
        var query = SigV4.CanonicalQuery("?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=ignored", exclude: "X-Amz-Signature");
        var canonical = SigV4.CanonicalRequest("GET", "/test.txt", query, [("host", "examplebucket.s3.amazonaws.com")], "host", SigV4.UnsignedPayload);
        Assert.Equal("aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404", Sign(canonical));
    }

    [Fact]
    public void Chunked_upload_signatures_chain_from_the_seed()
    {
        var chain = new ChunkSignatureChain(Key, Timestamp, Scope, "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9");
        Assert.Equal("ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648", chain.NextChunk(SHA256.HashData(Enumerable.Repeat((byte)'a', 65536).ToArray())));
        Assert.Equal("0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497", chain.NextChunk(SHA256.HashData(Enumerable.Repeat((byte)'a', 1024).ToArray())));
        Assert.Equal("b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9", chain.NextChunk(SHA256.HashData(ReadOnlySpan<byte>.Empty)));
    }

    [Fact]
    public void Canonical_query_decodes_then_encodes_the_aws_way_and_sorts()
    {
        Assert.Equal("a=&b=x%20y&b=z&prefix=a%2Bb~c", SigV4.CanonicalQuery("?prefix=a%2bb%7Ec&b=z&b=x%20y&a"));
    }

    [Fact]
    public void A_boto3_presigned_query_is_taken_as_sent_in_sigv4s_order()
    {
        const string sent = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261126%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20261126T202033Z&X-Amz-SignedHeaders=host&X-Amz-Expires=7200&X-Amz-Signature=9176f5824db7";
        const string canonical = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261126%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20261126T202033Z&X-Amz-Expires=7200&X-Amz-SignedHeaders=host";
        Assert.Equal(canonical, SigV4.CanonicalAsSent(sent, "X-Amz-Signature")); // boto3's order: not decoded, only sorted
        Assert.Equal(canonical, BySpec("?" + sent, "X-Amz-Signature"));
    }

    /// <summary>
    /// Queries sent encoded the AWS way take a shorter way (SigV4.CanonicalAsSent): on thousands of
    /// random queries, half of them encoded the AWS way (sorted or not), it must give what the spec's steps give.
    /// </summary>
    [Fact]
    public void Canonical_query_is_the_same_whichever_way_it_is_worked_out()
    {
        var random = new Random(27);
        string[] pieces = ["a", "Z", "0", "-", "_", ".", "~", "%2F", "%20", "%2B", "%3D", "%2f", "%41", "%7E", "%C3%A9", "%FF", "+", "/", "=", "%", "%2", "é"];
        var canonicalPieces = pieces[..11]; // those a query sent canonical is made of
        var fastWay = 0;
        for (var i = 0; i < 5000; i++)
        {
            var canonical = random.Next(2) == 0;
            string Component() => string.Concat(Enumerable.Range(0, random.Next(0, 4)).Select(_ => canonical ? canonicalPieces[random.Next(canonicalPieces.Length)] : pieces[random.Next(pieces.Length)]));
            var pairs = Enumerable.Range(0, random.Next(0, 6)).Select(_ => (Name: Component(), Value: Component())).ToList();
            if (random.Next(3) > 0) pairs.Sort((a, b) => string.CompareOrdinal(a.Name + "\0" + a.Value, b.Name + "\0" + b.Value));
            if (random.Next(3) == 0) pairs.Add(("X-Amz-Signature", "ab12"));
            var query = "?" + string.Join('&', pairs.Select(p => random.Next(10) == 0 && p.Value.Length == 0 ? p.Name : p.Name + "=" + p.Value));
            var exclude = random.Next(2) == 0 ? "X-Amz-Signature" : null;
            Assert.Equal(BySpec(query, exclude), SigV4.CanonicalQuery(query, exclude));
            if (SigV4.CanonicalAsSent(query.AsSpan(1), exclude) is not null) fastWay++;
        }
        Assert.InRange(fastWay, 1000, 4000); // both ways, each many times
    }

    /// <summary>The spec's steps: decode each name and value, encode it the AWS way, sort by name then value.</summary>
    private static string BySpec(string rawQuery, string? exclude) => string.Join('&', rawQuery.TrimStart('?').Split('&')
        .Where(part => part.Length > 0)
        .Select(part => part.Split('=', 2))
        .Select(nv => (Name: Uri.UnescapeDataString(nv[0]), Value: nv.Length > 1 ? Uri.UnescapeDataString(nv[1]) : ""))
        .Where(p => p.Name != exclude)
        .Select(p => (Name: SigV4.UriEncode(p.Name), Value: SigV4.UriEncode(p.Value)))
        .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
        .Select(p => p.Name + "=" + p.Value));

    private static string Sign(string canonical) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes(SigV4.StringToSign(Timestamp, Scope, canonical))));
}
