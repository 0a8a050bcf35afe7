using System.Globalization;

namespace S3Overlay.Storage.FileSystem;

/// <summary>What CreateMultipartUpload was told, kept in the upload's folder.</summary>
internal sealed record UploadRecord(string Key, DateTimeOffset Initiated, ObjectMetadata Metadata);

/// <summary>
/// One multipart upload's folder under the reserved folder (<c>uploads/&lt;bucket&gt;/&lt;uploadId&gt;/</c>):
/// <c>upload.json</c>, and per part its bytes (<c>00001.part</c>) and description (<c>00001.json</c>).
/// Outside the bucket folder, parts never show in listings.
/// </summary>
internal sealed class UploadFolder(string uploadsDir, string uploadId)
{
    public string UploadId { get; } = uploadId;
    public string Dir { get; } = Path.Join(uploadsDir, uploadId);
    public string RecordPath => Path.Join(Dir, "upload.json");

    /// <summary>Upload ids are ours (32 hex digits); anything else names no upload, and never a path.</summary>
    public static bool IsWellFormed(string uploadId) =>
        uploadId.Length == 32 && uploadId.All(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c));

    public static string NewId() => Guid.NewGuid().ToString("N");

    public UploadRecord? ReadRecord() => JsonFile.TryRead(RecordPath, StoreJson.Default.UploadRecord);

    public string PartPath(int partNumber) => Path.Join(Dir, partNumber.ToString("00000", CultureInfo.InvariantCulture) + ".part");

    public string PartInfoPath(int partNumber) => Path.ChangeExtension(PartPath(partNumber), ".json");

    public PartInfo? ReadPart(int partNumber) => JsonFile.TryRead(PartInfoPath(partNumber), StoreJson.Default.PartInfo);

    /// <summary>The parts uploaded so far, by part number.</summary>
    public List<PartInfo> ReadParts()
    {
        var parts = new List<PartInfo>();
        try
        {
            foreach (var file in Directory.EnumerateFiles(Dir, "*.json"))
                if (int.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                    && ReadPart(n) is { } part)
                    parts.Add(part);
        }
        catch (DirectoryNotFoundException) { }
        parts.Sort((a, b) => a.PartNumber.CompareTo(b.PartNumber));
        return parts;
    }
}
