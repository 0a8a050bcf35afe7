using S3Overlay.S3;
using S3Overlay.Storage.FileSystem;

namespace S3Overlay.Cli.Serve;

/// <summary>
/// <c>s3overlay serve ./photos</c>: an existing folder served as bucket <c>photos</c>, files and all,
/// as the folder-serving reference projects do. The embedded store's data folder holds only the
/// bucket as a link to the folder (nothing beside it is exposed) and the store's own files. By
/// default that data folder sits beside the served one, <c>.s3overlay-photos</c>: on the same file
/// system, so a write into the bucket is still one atomic rename.
/// </summary>
internal static class FolderBucket
{
    /// <returns>The data folder to run the store in.</returns>
    /// <exception cref="CliException">The folder is missing, or its name is no bucket name and none was given.</exception>
    public static string Prepare(string folder, string? bucket, string? dataDir)
    {
        var full = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar);
        if (!Directory.Exists(full)) throw new CliException($"folder {folder}: no such folder");
        bucket ??= Path.GetFileName(full).ToLowerInvariant();
        if (!BucketNames.IsValidForCreate(bucket))
            throw new CliException($"'{bucket}' is not a valid bucket name (3-63 of a-z, 0-9, '.', '-'): name one with --bucket");

        dataDir = Path.GetFullPath(dataDir ?? Path.Join(Path.GetDirectoryName(full), StoreLayout.ReservedName + "-" + bucket));
        try
        {
            BucketLink.Create(dataDir, bucket, full, replace: false);
        }
        catch (InvalidOperationException e)
        {
            throw new CliException(e.Message);
        }
        return dataDir;
    }
}
