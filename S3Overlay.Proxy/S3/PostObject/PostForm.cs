using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using S3Overlay.S3.Errors;

namespace S3Overlay.S3.PostObject;

/// <summary>
/// A browser upload's multipart/form-data body, read as S3 reads it: the fields before the
/// <c>file</c> part into memory (capped, as S3 caps them), then the file part left as a stream for
/// the store. Fields after the file are never read: S3 ignores them.
/// </summary>
internal sealed class PostForm
{
    /// <summary>S3's cap on the fields that precede the file (MaxPostPreDataLengthExceededError); it bounds what we hold.</summary>
    public const int MaxPreDataBytes = 20 * 1024;

    /// <summary>More fields than any real form has; each costs its part headers, which the byte cap does not count.</summary>
    private const int MaxFields = 100;

    private PostForm(Dictionary<string, string> fields, MultipartSection file, string fileName)
    {
        Fields = fields;
        File = file.Body;
        FileName = fileName;
    }

    /// <summary>The fields before the file, by name, case-insensitive as S3 compares field names.</summary>
    public IReadOnlyDictionary<string, string> Fields { get; }

    /// <summary>The file part's bytes, streamed from the socket; ends at the part's boundary.</summary>
    public Stream File { get; }

    /// <summary>The file name the browser gave the file (what <c>${filename}</c> in the key stands for).</summary>
    public string FileName { get; }

    public string? Field(string name) => Fields.TryGetValue(name, out var value) ? value : null;

    public static async Task<PostForm> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        var boundary = Boundary(request.ContentType);
        var reader = new MultipartReader(boundary, request.Body) { HeadersCountLimit = 8, HeadersLengthLimit = 4 * 1024 };
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var preDataBytes = 0;
        try
        {
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)
                    || HeaderUtilities.RemoveQuotes(disposition.Name).ToString() is not { Length: > 0 } name)
                    throw Malformed();
                if (name.Equals("file", StringComparison.OrdinalIgnoreCase))
                    return new PostForm(fields, section, HeaderUtilities.RemoveQuotes(disposition.FileName).ToString());

                if (fields.Count >= MaxFields) throw TooLarge();
                var value = await ReadFieldAsync(section.Body, MaxPreDataBytes - preDataBytes, ct);
                preDataBytes += Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(value);
                // One value per name: a condition checks the value that is stored, never a twin of it.
                if (!fields.TryAdd(name, value))
                    throw new S3Exception(S3Error.InvalidArgument.WithMessage($"The form field {name} is given more than once.")).With("ArgumentName", name);
            }
        }
        catch (InvalidDataException)
        {
            // MultipartReader's word for a body that is not multipart/form-data, or part headers over their limits.
            throw Malformed();
        }
        throw new S3Exception(S3Error.InvalidArgument.WithMessage("POST requires exactly one file upload per request.")).With("ArgumentName", "file");
    }

    private static string Boundary(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media)
            || !media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            throw new S3Exception(S3Error.PreconditionFailed).With("Condition", "Bucket POST must be of the enclosure-type multipart/form-data");
        var boundary = HeaderUtilities.RemoveQuotes(media.Boundary).ToString();
        // RFC 2046 caps a boundary at 70 characters.
        if (boundary.Length is 0 or > 70) throw Malformed();
        return boundary;
    }

    private static async Task<string> ReadFieldAsync(Stream body, int budget, CancellationToken ct)
    {
        budget = Math.Max(budget, 0);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(budget + 1);
        try
        {
            var length = 0;
            int n;
            while ((n = await body.ReadAsync(buffer.AsMemory(length, budget + 1 - length), ct)) > 0)
            {
                length += n;
                if (length > budget) throw TooLarge();
            }
            return Encoding.UTF8.GetString(buffer, 0, length);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static S3Exception Malformed() => new(S3Error.MalformedPOSTRequest);

    private static S3Exception TooLarge() =>
        new S3Exception(S3Error.MaxPostPreDataLengthExceeded).With("MaxPostPreDataLength", MaxPreDataBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
