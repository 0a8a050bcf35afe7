using System.Security.Cryptography;
using System.Text;
using S3Overlay.Signing;
using S3Overlay.Storage.Checksums;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Payloads;
using S3Overlay.Streams;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Auth;

/// <summary>The aws-chunked decoder, fed the same encoded body split at every byte boundary.</summary>
[UnitTests]
public class AwsChunkedStreamTests
{
    private const string Timestamp = "20260101T000000Z";
    private const string Scope = "20260101/us-east-1/s3/aws4_request";
    private const string Seed = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static readonly byte[] Key = SigV4.DeriveSigningKey("secret", "20260101", "us-east-1", "s3");
    private static readonly byte[] Data = Enumerable.Range(0, 150).Select(i => (byte)(i * 7)).ToArray();

    public enum Variant { Signed, SignedTrailer, UnsignedTrailer }

    [Theory]
    [InlineData(Variant.Signed)]
    [InlineData(Variant.SignedTrailer)]
    [InlineData(Variant.UnsignedTrailer)]
    public async Task Decodes_whatever_the_network_splits(Variant variant)
    {
        var body = Encode(variant, Data, chunkSize: 64);
        for (var cut = 0; cut <= body.Length; cut++)
            Assert.Equal(Data, await DecodeAsync(variant, new SplitStream(body, cut)));
        Assert.Equal(Data, await DecodeAsync(variant, new SplitStream(body, Enumerable.Range(1, body.Length).ToArray())));
        Assert.Equal(Data, await DecodeAsync(variant, new SplitStream(body), readSize: 1));
    }

    [Theory]
    [InlineData(Variant.Signed)]
    [InlineData(Variant.SignedTrailer)]
    public async Task A_corrupted_chunk_signature_fails_at_every_split(Variant variant)
    {
        var body = Encode(variant, Data, chunkSize: 64);
        var text = Encoding.Latin1.GetString(body);
        var at = text.IndexOf("chunk-signature=", text.IndexOf("chunk-signature=") + 1) + "chunk-signature=".Length;
        body[at] = (byte)(body[at] == (byte)'0' ? '1' : '0');
        for (var cut = 0; cut <= body.Length; cut += 5)
            Assert.Equal("SignatureDoesNotMatch", await FailureAsync(variant, new SplitStream(body, cut)));
    }

    [Theory]
    [InlineData(Variant.Signed)]
    [InlineData(Variant.UnsignedTrailer)]
    public async Task A_byte_changed_in_the_data_is_caught(Variant variant)
    {
        var body = Encode(variant, Data, chunkSize: 64);
        var at = Encoding.Latin1.GetString(body).IndexOf("\r\n", StringComparison.Ordinal) + 2 + 70 % 64;
        body[at] ^= 1;
        Assert.Equal(variant == Variant.Signed ? "SignatureDoesNotMatch" : "BadDigest", await FailureAsync(variant, new SplitStream(body, 3)));
    }

    [Theory]
    [InlineData(Variant.SignedTrailer, "SignatureDoesNotMatch")]
    [InlineData(Variant.UnsignedTrailer, "BadDigest")]
    public async Task A_wrong_trailer_checksum_fails(Variant variant, string error)
    {
        // Signed: the trailer signature no longer covers the altered value. Unsigned: the checksum itself is wrong.
        var body = Encode(variant, Data, chunkSize: 64, trailerValue: ChecksumAlgorithm.Crc32.Compute("other"u8));
        for (var cut = 0; cut <= body.Length; cut += 7)
            Assert.Equal("BadDigest", await FailureAsync(variant, new SplitStream(body, cut)));

        var tampered = Encoding.Latin1.GetString(Encode(variant, Data, chunkSize: 64))
            .Replace(ChecksumAlgorithm.Crc32.Compute(Data), ChecksumAlgorithm.Crc32.Compute("other"u8));
        Assert.Equal(error, await FailureAsync(variant, new SplitStream(Encoding.Latin1.GetBytes(tampered), 11)));
    }

    [Theory]
    [InlineData(Variant.Signed)]
    [InlineData(Variant.UnsignedTrailer)]
    public async Task A_decoded_length_that_differs_is_an_incomplete_body(Variant variant)
    {
        var body = Encode(variant, Data, chunkSize: 64);
        Assert.Equal("IncompleteBody", await FailureAsync(variant, new SplitStream(body, 10), decodedLength: Data.Length + 1));
        Assert.Equal("IncompleteBody", await FailureAsync(variant, new SplitStream(body, 10), decodedLength: Data.Length - 1));
    }

    [Theory]
    [InlineData(Variant.Signed)]
    [InlineData(Variant.SignedTrailer)]
    [InlineData(Variant.UnsignedTrailer)]
    public async Task A_truncated_body_is_an_incomplete_body(Variant variant)
    {
        var body = Encode(variant, Data, chunkSize: 64);
        foreach (var length in new[] { 1, 20, 100, body.Length / 2 })
            Assert.Equal("IncompleteBody", await FailureAsync(variant, new SplitStream(body[..length], 3)));
    }

    [Fact]
    public async Task An_empty_body_is_one_final_chunk()
    {
        foreach (var variant in Enum.GetValues<Variant>())
            Assert.Empty(await DecodeAsync(variant, new SplitStream(Encode(variant, [], chunkSize: 64), 1), decodedLength: 0));
    }

    [Fact]
    public async Task The_signed_trailer_minio_go_sends_decodes_at_every_split_and_is_still_checked()
    {
        // minio-go ends its trailer lines with \n alone and puts a blank line before the signature; MinIO accepts it.
        var body = Encode(Variant.SignedTrailer, Data, chunkSize: 64, minioGoFraming: true);
        for (var cut = 0; cut <= body.Length; cut++)
            Assert.Equal(Data, await DecodeAsync(Variant.SignedTrailer, new SplitStream(body, cut)));

        var tampered = Encoding.Latin1.GetString(body).Replace(ChecksumAlgorithm.Crc32.Compute(Data), ChecksumAlgorithm.Crc32.Compute("other"u8));
        Assert.Equal("SignatureDoesNotMatch", await FailureAsync(Variant.SignedTrailer, new SplitStream(Encoding.Latin1.GetBytes(tampered), 11)));
        var unsigned = Encoding.Latin1.GetString(body);
        unsigned = unsigned[..(unsigned.IndexOf("x-amz-trailer-signature", StringComparison.Ordinal))];
        Assert.Equal("SignatureDoesNotMatch", await FailureAsync(Variant.SignedTrailer, new SplitStream(Encoding.Latin1.GetBytes(unsigned), 5)));
    }

    private static async Task<byte[]> DecodeAsync(Variant variant, Stream encoded, long? decodedLength = -1, int readSize = 4096)
    {
        using var trailer = variant == Variant.Signed ? null : PayloadCheck.For(ChecksumAlgorithm.Crc32);
        var chain = variant == Variant.UnsignedTrailer ? null : new ChunkSignatureChain(Key, Timestamp, Scope, Seed);
        await using var decoder = new AwsChunkedStream(encoded, decodedLength == -1 ? Data.Length : decodedLength, chain, trailer);
        var output = new MemoryStream();
        var buffer = new byte[readSize];
        int n;
        while ((n = await decoder.ReadAsync(buffer)) > 0) output.Write(buffer, 0, n);
        if (trailer is not null) Assert.Equal(ChecksumAlgorithm.Crc32.Compute(output.ToArray()), trailer.Verified);
        return output.ToArray();
    }

    private static async Task<string> FailureAsync(Variant variant, Stream encoded, long? decodedLength = -1) =>
        StorageErrors.AsS3(await Assert.ThrowsAnyAsync<Exception>(() => DecodeAsync(variant, encoded, decodedLength)))!.Error.Code;

    /// <summary>Encodes as the AWS SDKs do (see aws-sdk-net's ChunkedUploadWrapperStream).</summary>
    /// <param name="minioGoFraming">The trailer as minio-go writes it: <c>name:value\n</c>, then <c>\r\n</c> before the signature line.</param>
    internal static byte[] Encode(Variant variant, byte[] data, int chunkSize, string? trailerValue = null, bool minioGoFraming = false)
    {
        var chain = variant == Variant.UnsignedTrailer ? null : new ChunkSignatureChain(Key, Timestamp, Scope, Seed);
        var output = new MemoryStream();
        void Write(string s) => output.Write(Encoding.ASCII.GetBytes(s));
        for (var offset = 0; ; offset += chunkSize)
        {
            var chunk = data.AsSpan(Math.Min(offset, data.Length), Math.Clamp(data.Length - offset, 0, chunkSize));
            Write(chunk.Length.ToString("x"));
            if (chain is not null) Write(";chunk-signature=" + chain.NextChunk(SHA256.HashData(chunk)));
            Write("\r\n");
            if (chunk.Length == 0) break;
            output.Write(chunk);
            Write("\r\n");
        }
        if (variant == Variant.Signed)
        {
            Write("\r\n");
            return output.ToArray();
        }
        var trailer = $"x-amz-checksum-crc32:{trailerValue ?? ChecksumAlgorithm.Crc32.Compute(data)}";
        Write(trailer + (minioGoFraming ? "\n\r\n" : "\r\n"));
        if (chain is not null) Write("x-amz-trailer-signature:" + chain.NextTrailer(trailer + "\n") + "\r\n");
        Write("\r\n");
        return output.ToArray();
    }
}

/// <summary>Hands out a body in pieces cut at the given offsets, as a network might.</summary>
internal sealed class SplitStream(byte[] data, params int[] cuts) : BytesReadStream(data)
{
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(CopyUpTo(cuts.Where(c => c > Offset).DefaultIfEmpty(int.MaxValue).Min(), buffer.Span));
}
