using System.Globalization;
using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;

namespace S3Overlay.S3.Parts;

/// <summary>
/// Part numbers as requests give them (<c>partNumber</c> on UploadPart and on GET/HEAD), and the
/// bytes a part of a completed object spans. A GET or HEAD for part N answers the Nth part of the
/// object (as MinIO and S3 count them); an object written in one piece has exactly one.
/// </summary>
internal static class PartNumbers
{
    public const int Max = 10_000;
    public const string PartsCountHeader = "x-amz-mp-parts-count";

    /// <summary>The <c>partNumber</c> query parameter; null when absent, InvalidArgument unless 1–10000.</summary>
    public static int? FromQuery(HttpRequest request)
    {
        if (!request.Query.TryGetValue("partNumber", out var values)) return null;
        var raw = values.ToString();
        return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= Max
            ? n
            : throw new S3Exception(S3Error.InvalidArgument.WithMessage("Part number must be an integer between 1 and 10000, inclusive"))
                .With("ArgumentName", "partNumber").With("ArgumentValue", raw);
    }

    /// <summary>
    /// The bytes of the object's part <paramref name="partNumber"/>; beyond its last part 400
    /// InvalidPart, what s3-tests expects of S3 (test_multipart_get_part, test_non_multipart_get_part).
    /// </summary>
    public static ResolvedRange Range(ObjectInfo info, int partNumber)
    {
        var parts = info.Metadata.Parts;
        var count = parts?.Count ?? 1;
        if (partNumber > count)
            throw new S3Exception(S3Error.InvalidPart).With("PartNumber", partNumber.ToString(CultureInfo.InvariantCulture))
                .With("ActualPartCount", count.ToString(CultureInfo.InvariantCulture));
        if (parts is null) return new ResolvedRange(0, info.Size, info.Size);
        var offset = parts.Take(partNumber - 1).Sum(p => p.Size);
        return new ResolvedRange(offset, parts[partNumber - 1].Size, info.Size);
    }

    /// <summary>A part answer's headers: its range, and how many parts a multipart object has (S3 tells it for those only).</summary>
    public static void WritePartHeaders(HttpResponse response, ObjectInfo info, ResolvedRange range)
    {
        response.StatusCode = StatusCodes.Status206PartialContent;
        if (range.Length > 0) response.Headers.ContentRange = range.ContentRange;
        if (info.Metadata.Parts is { } parts) response.Headers[PartsCountHeader] = parts.Count.ToString(CultureInfo.InvariantCulture);
    }
}
