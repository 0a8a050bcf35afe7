using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// The store's small JSON files (sidecars, upload and part records): written atomically, read
/// defensively, each by its type's <see cref="StoreJson"/> contract.
/// </summary>
internal static class JsonFile
{
    /// <returns>The file's bytes, or null when it is missing or unreadable.</returns>
    public static byte[]? TryReadBytes(string path) => TryReadVersioned(path)?.Json;

    /// <returns>The file's bytes and the version of the file read, or null when it is missing or unreadable.</returns>
    /// <remarks>The store's JSON files are written whole and renamed into place: one never changes under a reader.</remarks>
    public static (byte[] Json, FileVersion Version)? TryReadVersioned(string path)
    {
        try
        {
            if (StoreFiles.TryOpen(path) is not var (file, version)) return null;
            using (file)
            {
                var json = new byte[version.Size];
                if (StoreFiles.ReadAt(file, json, 0) < json.Length) throw new EndOfStreamException();
                return (json, version);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <returns>The value, or null when the file is missing or unreadable (a torn or foreign file is not trusted).</returns>
    public static T? TryRead<T>(string path, JsonTypeInfo<T> type) where T : class
    {
        if (TryReadBytes(path) is not { } json) return null;
        try
        {
            return JsonSerializer.Deserialize(json, type);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Writes to a temp file, then renames it over <paramref name="path"/>: a reader never sees
    /// half a file, and once this returns the file is on disk (flushed, and its folder too),
    /// unless <paramref name="flush"/> is false.
    /// </summary>
    public static void Write<T>(string path, T value, JsonTypeInfo<T> type, string tempPath, bool flush = true)
    {
        var dir = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(dir);
        try
        {
            using (var file = StoreFiles.CreateOwnerOnly(tempPath, 4096))
            {
                JsonSerializer.Serialize(file, value, type);
                file.Flush(flushToDisk: flush);
            }
            File.Move(tempPath, path, overwrite: true);
            if (flush) StoreFiles.FlushFolder(dir);
        }
        catch
        {
            File.Delete(tempPath);
            throw;
        }
    }
}
