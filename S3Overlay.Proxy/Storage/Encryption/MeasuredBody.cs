namespace S3Overlay.Storage.Encryption;

/// <summary>
/// A body that came without a length (a browser upload's file), written to a file of its own so
/// its length is known before the first package is sealed: a package's header and every
/// package's associated data name the plaintext's length. On disk, never in memory; the file
/// goes when the body is disposed (and a crash's is swept with the store's temp files).
/// </summary>
internal static class MeasuredBody
{
    public static async Task<FileStream> SpoolAsync(Stream body, string path, CancellationToken ct)
    {
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            await body.CopyToAsync(file, 64 * 1024, ct);
            await file.FlushAsync(ct);
            file.Position = 0;
            return file;
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }
}
