using System.Security.Cryptography;

namespace S3Overlay.Storage.Checksums;

/// <summary>A running checksum that is a platform hash (SHA-1, SHA-256, and MD5 for Content-MD5).</summary>
internal sealed class HashChecksum(HashAlgorithmName name) : IRunningChecksum
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(name);
    public void Append(ReadOnlySpan<byte> data) => _hash.AppendData(data);
    public byte[] Finish() => _hash.GetHashAndReset();
    public void Dispose() => _hash.Dispose();
}
