using S3Overlay.S3.Payloads;

namespace S3Overlay.S3.Auth;

/// <summary>What a verified signature proves: who sent the request, and how its payload is to be checked.</summary>
/// <param name="PayloadHash">The x-amz-content-sha256 the request carries (a hex SHA-256, UNSIGNED-PAYLOAD, STREAMING-…), if any.</param>
/// <param name="Chunks">Starts the chain that signed aws-chunked bodies are verified against (SigV4 only).</param>
internal sealed record SignedIdentity(string AccessKey, string? PayloadHash, Func<ChunkSignatureChain>? Chunks = null);
