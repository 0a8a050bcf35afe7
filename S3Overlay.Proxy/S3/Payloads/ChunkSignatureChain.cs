using System.Security.Cryptography;
using System.Text;
using S3Overlay.S3.Errors;
using S3Overlay.Signing;

namespace S3Overlay.S3.Payloads;

/// <summary>
/// The signatures of an aws-chunked body: each chunk's signature signs its data and the signature
/// before it, starting from the request's own (the seed), so no chunk can be dropped, reordered
/// or altered; the trailer's signature closes the chain.
/// </summary>
internal sealed class ChunkSignatureChain(byte[] signingKey, string timestamp, string scope, string seedSignature)
{
    private string _previous = seedSignature;

    /// <summary>Signs the next chunk (given its SHA-256) and advances the chain.</summary>
    public string NextChunk(ReadOnlySpan<byte> chunkSha256) =>
        Advance($"AWS4-HMAC-SHA256-PAYLOAD\n{timestamp}\n{scope}\n{_previous}\n{SigV4.EmptyPayloadSha256}\n{Convert.ToHexStringLower(chunkSha256)}");

    /// <summary>Signs the trailer (its canonical <c>name:value\n</c> lines) and advances the chain.</summary>
    public string NextTrailer(string canonicalTrailers) =>
        Advance($"AWS4-HMAC-SHA256-TRAILER\n{timestamp}\n{scope}\n{_previous}\n{SigV4.Sha256Hex(canonicalTrailers)}");

    public void VerifyChunk(ReadOnlySpan<byte> chunkSha256, string? claimed) => Check(NextChunk(chunkSha256), claimed);

    public void VerifyTrailer(string canonicalTrailers, string? claimed) => Check(NextTrailer(canonicalTrailers), claimed);

    private string Advance(string stringToSign) =>
        _previous = SigV4.HmacHex(signingKey, stringToSign);

    private static void Check(string expected, string? claimed)
    {
        if (claimed is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(claimed)))
            throw new S3Exception(S3Error.SignatureDoesNotMatch.WithMessage("The chunk signature we calculated does not match the signature you provided."));
    }
}
