namespace S3Overlay.Storage.Checksums;

/// <summary>A checksum computed over bytes as they stream past.</summary>
internal interface IRunningChecksum : IDisposable
{
    void Append(ReadOnlySpan<byte> data);

    /// <summary>The checksum of everything appended, as the bytes S3 base64-encodes on the wire.</summary>
    byte[] Finish();
}
