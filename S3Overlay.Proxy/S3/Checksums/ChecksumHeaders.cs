using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;
using S3Overlay.Storage.Checksums;

namespace S3Overlay.S3.Checksums;

/// <summary>The <c>x-amz-checksum-*</c> headers: what a writer sends, and what GET/HEAD/PUT answer with.</summary>
internal static class ChecksumHeaders
{
    /// <summary>
    /// The checksums a writer sent as headers, decoded. Several checksum headers, a value that is not
    /// base64 of the algorithm's size, or an unknown x-amz-sdk-checksum-algorithm → InvalidRequest.
    /// </summary>
    public static IReadOnlyList<(ChecksumAlgorithm Algorithm, byte[] Value)> Sent(HttpRequest request)
    {
        var sdkAlgorithm = request.Headers["x-amz-sdk-checksum-algorithm"].ToString();
        if (sdkAlgorithm.Length > 0 && ChecksumAlgorithm.Find(sdkAlgorithm) is null)
            throw Invalid($"Checksum algorithm '{sdkAlgorithm}' is not supported.");

        List<(ChecksumAlgorithm, byte[])>? sent = null;
        foreach (var algorithm in ChecksumAlgorithm.All)
        {
            var text = request.Headers[algorithm.HeaderName].ToString();
            if (text.Length == 0) continue;
            if (sent is { Count: > 0 })
                throw Invalid("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
            (sent ??= []).Add((algorithm, Decode(algorithm, text)));
        }
        return sent ?? (IReadOnlyList<(ChecksumAlgorithm, byte[])>)[];
    }

    /// <summary>A checksum value as sent (base64), checked to be the algorithm's size.</summary>
    public static byte[] Decode(ChecksumAlgorithm algorithm, string base64) =>
        algorithm.TryDecode(base64) ?? throw Invalid($"Value for {algorithm.HeaderName} header is invalid.");

    /// <summary>True when the reader asked for checksums (<c>x-amz-checksum-mode: ENABLED</c>).</summary>
    public static bool Requested(HttpRequest request) =>
        string.Equals(request.Headers["x-amz-checksum-mode"], "ENABLED", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Adds the stored checksums to a GET/HEAD answer when the reader asked for them. Only a whole
    /// object's checksums describe the bytes sent, so ranged answers carry none (as S3).
    /// </summary>
    public static void WriteIfRequested(HttpRequest request, HttpResponse response, ObjectInfo info, bool wholeObject = true)
    {
        if (wholeObject && Requested(request)) Write(response, info.Metadata.Checksums);
    }

    /// <summary>The checksums as response headers, with their type (PutObject always answers with them).</summary>
    public static void Write(HttpResponse response, IReadOnlyDictionary<string, string> checksums)
    {
        // Multipart objects carry a checksum of checksums ("…-3"), which clients must not compare with the bytes.
        if (WriteValues(response, checksums) is { } last) response.Headers["x-amz-checksum-type"] = last.Contains('-') ? "COMPOSITE" : "FULL_OBJECT";
    }

    /// <summary>
    /// The checksums as response headers without a type: UploadPart's answer, which describes the
    /// part's bytes and has no type in S3 (a type there would be the upload's, COMPOSITE or FULL_OBJECT).
    /// </summary>
    /// <returns>The last value written; null when none was.</returns>
    public static string? WriteValues(HttpResponse response, IReadOnlyDictionary<string, string> checksums)
    {
        string? last = null;
        foreach (var (name, value) in checksums)
        {
            if (ChecksumAlgorithm.Find(name) is not { } algorithm) continue;
            response.Headers[algorithm.HeaderName] = last = value;
        }
        return last;
    }

    private static S3Exception Invalid(string message) => new(S3Error.InvalidRequest.WithMessage(message));
}
