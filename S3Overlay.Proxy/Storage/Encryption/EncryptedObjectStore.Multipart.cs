using System.Buffers.Text;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Storage.Encryption;

/// <summary>
/// Multipart uploads: each part is a segment of its own, sealed by the upload's data key under a
/// salt of its own. The upload's sealed data key travels in the upload id the client is given
/// (<c>inner-id.sse-…</c>), so every part of the upload, on any replica, is sealed by the same key
/// without a record to look up; the key opens only with the master key (or the customer's key)
/// and only for this bucket and key.
/// </summary>
internal sealed partial class EncryptedObjectStore
{
    private const string UploadIdMark = ".sse-";

    /// <summary>Each <see cref="EncryptionKind"/>'s letter in an upload id, in its order.</summary>
    private const string KindMarks = "sck";

    public override async Task<string> CreateMultipartUploadAsync(string bucket, string key, ObjectWrite write, CancellationToken ct)
    {
        if (await EnvelopeForAsync(bucket, key, write, multipart: true, ct) is not ({ } envelope, _))
            return await Inner.CreateMultipartUploadAsync(bucket, key, Cleaned(write), ct);
        var uploadId = await Inner.CreateMultipartUploadAsync(bucket, key, write with { Metadata = envelope.AddTo(write.Metadata), Encryption = null }, ct);
        return uploadId + UploadIdMark + KindMarks[(int)envelope.Kind] + Base64Url.EncodeToString(envelope.SealedKey);
    }

    /// <summary>The store's own upload id, and the sealed key of an encrypted upload.</summary>
    private static (string InnerId, EncryptionKind Kind, byte[]? SealedKey) Upload(string uploadId)
    {
        var at = uploadId.LastIndexOf(UploadIdMark, StringComparison.Ordinal);
        if (at < 0) return (uploadId, EncryptionKind.Managed, null);
        var mark = uploadId.AsSpan(at + UploadIdMark.Length);
        var kind = mark.Length < 2 ? -1 : KindMarks.IndexOf(mark[0]);
        if (kind < 0) throw new StorageException(StorageFault.UploadNotFound);
        try
        {
            return (uploadId[..at], (EncryptionKind)kind, Base64Url.DecodeFromChars(mark[1..]));
        }
        catch (FormatException)
        {
            throw new StorageException(StorageFault.UploadNotFound);
        }
    }

    public override async Task<PartInfo> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream body, ObjectWrite write, CancellationToken ct)
    {
        var (innerId, kind, sealedKey) = Upload(uploadId);
        if (sealedKey is null)
        {
            if (write.Encryption is not null) throw new StorageException(StorageFault.InvalidRequest, message: "The upload was not initiated with server side encryption: its parts cannot ask for it.");
            return await Inner.UploadPartAsync(bucket, key, innerId, partNumber, body, write, ct);
        }
        var envelope = new Envelope(kind, sealedKey, master?.Name, null, true);
        var dataKey = kind == EncryptionKind.Customer ? CustomerPartKey(envelope, write.Encryption, bucket, key) : envelope.Open(master, write.Encryption, bucket, key);
        var length = write.ContentLength ?? throw LengthNeeded();
        await using var sealedBody = new EncryptingStream(body, dataKey, Segment.NewSalt(), length, write.ContentMD5);
        var part = await Inner.UploadPartAsync(bucket, key, innerId, partNumber, sealedBody,
            write with { ContentLength = Segment.CiphertextSize(length), ContentMD5 = null, Encryption = null }, ct);
        return part with { Size = length };
    }

    /// <summary>
    /// A part of an SSE-C upload brings the key the upload began with, as S3 words it: a missing or
    /// another key is a bad request (400), not the 403 of a read with the wrong key.
    /// </summary>
    private static byte[] CustomerPartKey(Envelope envelope, ObjectEncryption? asked, string bucket, string key)
    {
        if (asked?.CustomerKey is not { } customerKey)
            throw new StorageException(StorageFault.InvalidRequest, key, "The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.");
        return SealedKey.Unseal(customerKey, envelope.SealedKey, bucket, key)
            ?? throw new StorageException(StorageFault.InvalidRequest, key, "The provided encryption parameters did not match the ones used originally.");
    }

    public override async Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, IReadOnlyList<CompletedPart> parts, ObjectChecksum? expected, WriteCondition condition, CancellationToken ct) =>
        await DescribeAsync(bucket, key, await Inner.CompleteMultipartUploadAsync(bucket, key, Upload(uploadId).InnerId, parts, expected, Envelope.StoredCondition(condition), ct), ct);

    public override Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken ct) =>
        Inner.AbortMultipartUploadAsync(bucket, key, Upload(uploadId).InnerId, ct);

    public override async Task<PartsPage> ListPartsAsync(string bucket, string key, string uploadId, int partNumberMarker, int maxParts, CancellationToken ct)
    {
        var (innerId, _, sealedKey) = Upload(uploadId);
        var page = await Inner.ListPartsAsync(bucket, key, innerId, partNumberMarker, maxParts, ct);
        return sealedKey is null ? page : page with { Parts = page.Parts.Select(p => p with { Size = Math.Max(0, Segment.PlaintextSize(p.Size)) }).ToList() };
    }
}
