namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// An existing folder served as a bucket: the data folder holds the bucket as a symbolic link to
/// it, and the embedded store serves the link's files as the bucket's objects (<c>serve FOLDER</c>,
/// and the bucket configuration's <c>Folder</c>). Nothing beside the link is exposed.
/// </summary>
internal static class BucketLink
{
    /// <summary>Links <paramref name="dataDir"/>/<paramref name="bucket"/> to <paramref name="folder"/> (full paths); nothing to do when it already is.</summary>
    /// <param name="replace">A link to another folder is moved (the configuration changed); false refuses it.</param>
    /// <exception cref="InvalidOperationException">The bucket is a folder of the store's own, or (without <paramref name="replace"/>) links elsewhere.</exception>
    public static void Create(string dataDir, string bucket, string folder, bool replace)
    {
        Directory.CreateDirectory(dataDir);
        var link = new DirectoryInfo(Path.Join(dataDir, bucket));
        if (link.LinkTarget is { } target)
        {
            if (Path.GetFullPath(target, dataDir).TrimEnd(Path.DirectorySeparatorChar) == folder) return;
            if (!replace) throw new InvalidOperationException($"{link.FullName} already serves {target}, not {folder}");
            link.Delete();
        }
        else if (link.Exists) throw new InvalidOperationException($"{link.FullName} is already a bucket folder of its own");
        Directory.CreateSymbolicLink(link.FullName, folder);
    }
}
