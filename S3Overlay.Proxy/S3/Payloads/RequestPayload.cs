using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using S3Overlay.S3.Checksums;
using S3Overlay.Storage;
using S3Overlay.Storage.Checksums;
using S3Overlay.S3.Errors;
using S3Overlay.Streams;

namespace S3Overlay.S3.Payloads;

/// <summary>
/// Puts the right decoding and verifying streams between the socket and the handler, from what
/// the request says about its payload (x-amz-content-sha256, x-amz-trailer, x-amz-checksum-*).
/// </summary>
internal static class RequestPayload
{
    public const string StreamingSigned = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    public const string StreamingSignedTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    public const string StreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

    /// <summary>
    /// Installs <see cref="S3Request.Body"/> and <see cref="S3Request.TrailingChecksums"/>. For an
    /// aws-chunked body the request's headers are then made to describe the decoded body
    /// (Content-Length is the decoded length, <c>aws-chunked</c> leaves Content-Encoding), so a
    /// handler sees a plain request.
    /// </summary>
    /// <param name="payloadHash">The x-amz-content-sha256 the request was signed with; null when the signature does not cover the payload (SigV2, presigned, anonymous).</param>
    /// <param name="signatures">Starts the chunk-signature chain; null when the request cannot carry signed chunks.</param>
    public static void Install(S3Request r, string? payloadHash, Func<ChunkSignatureChain>? signatures)
    {
        var request = r.Request;
        var body = r.Body;
        var checks = new List<PayloadCheck>();
        PayloadCheck? trailer = null;
        switch (payloadHash)
        {
            case null or Signing.SigV4.UnsignedPayload:
                break;
            case StreamingSigned or StreamingSignedTrailer or StreamingUnsignedTrailer:
                trailer = AnnouncedTrailer(request);
                var chain = payloadHash == StreamingUnsignedTrailer ? null
                    : signatures?.Invoke() ?? throw new S3Exception(S3Error.InvalidRequest.WithMessage($"{payloadHash} needs a SigV4 Authorization header."));
                var decodedLength = DecodedLength(request);
                body = Owned(r, new AwsChunkedStream(body, decodedLength, chain, trailer));
                request.ContentLength = decodedLength;
                request.Headers.ContentEncoding = WithoutAwsChunked(request.Headers.ContentEncoding);
                break;
            default:
                if (ContentSha256(request, payloadHash) is { } sha256) checks.Add(sha256);
                break;
        }
        // CompleteMultipartUpload's checksum headers describe the object it assembles, not its XML.
        if (r.Operation != "CompleteMultipartUpload")
            foreach (var (algorithm, value) in ChecksumHeaders.Sent(request))
                checks.Add(PayloadCheck.For(algorithm, value));

        if (checks.Count > 0) body = Owned(r, new VerifyingStream(body, checks));
        r.Body = body;

        // A checksum sent in a header is known before the body, and the body is checked against it
        // before its last byte reaches a store: it goes with the write from the start. One in a
        // trailer is known only at the body's end.
        r.DeclaredChecksums = checks.Where(c => c.Algorithm is not null).ToDictionary(c => c.Algorithm!.Name, c => Convert.ToBase64String(c.Expected!));
        if (trailer is not null)
            r.TrailingChecksums = () => trailer.Verified is { } verified
                ? new Dictionary<string, string> { [trailer.Algorithm!.Name] = verified }
                : ObjectMetadata.EmptyMap;
    }

    /// <summary>Returns the pooled buffer and hashes once the response is done, whether or not the handler read the body.</summary>
    private static Stream Owned(S3Request r, Stream stream)
    {
        r.Response.RegisterForDispose(stream);
        return stream;
    }

    /// <summary>The single-chunk case: the body's SHA-256 must be the signed one. Null when there is no body to check.</summary>
    private static PayloadCheck? ContentSha256(HttpRequest request, string payloadHash)
    {
        var expected = new byte[32];
        if (payloadHash.Length != 64 || Convert.FromHexString(payloadHash, expected, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32)
            throw new S3Exception(S3Error.InvalidArgument.WithMessage("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-… or the hex SHA-256 of the payload."));
        if (!HasBody(request))
        {
            if (payloadHash != Signing.SigV4.EmptyPayloadSha256) throw new S3Exception(S3Error.XAmzContentSHA256Mismatch);
            return null;
        }
        return new PayloadCheck(ChecksumAlgorithm.Sha256.Create(), () => new S3Exception(S3Error.XAmzContentSHA256Mismatch)) { Expected = expected };
    }

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || (request.ContentLength is null && !StringValues.IsNullOrEmpty(request.Headers.TransferEncoding));

    private static PayloadCheck? AnnouncedTrailer(HttpRequest request)
    {
        PayloadCheck? check = null;
        foreach (var name in request.Headers["x-amz-trailer"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!name.StartsWith("x-amz-checksum-", StringComparison.OrdinalIgnoreCase)) continue;
            var algorithm = ChecksumAlgorithm.Find(name)
                ?? throw new S3Exception(S3Error.InvalidRequest.WithMessage($"The trailer {name} is not a supported checksum."));
            check = PayloadCheck.For(algorithm);
        }
        return check;
    }

    private static long? DecodedLength(HttpRequest request)
    {
        var text = request.Headers["x-amz-decoded-content-length"].ToString();
        if (text.Length == 0) return null;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var length)
            ? length
            : throw new S3Exception(S3Error.InvalidArgument.WithMessage("x-amz-decoded-content-length is not a length."));
    }

    private static StringValues WithoutAwsChunked(StringValues encoding)
    {
        var rest = encoding.ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(e => !e.Equals("aws-chunked", StringComparison.OrdinalIgnoreCase)).ToArray();
        return rest.Length == 0 ? StringValues.Empty : new StringValues(string.Join(",", rest));
    }
}
