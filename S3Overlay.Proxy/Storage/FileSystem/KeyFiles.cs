namespace S3Overlay.Storage.FileSystem;

/// <summary>A file of the store: a path relative to the folder it may not leave.</summary>
internal readonly record struct KeyFile(ConfinedFolder Folder, string Relative)
{
    public FileVersion? Version() => Folder.VersionOf(Relative);

    public override string ToString() => Path.Join(Folder.Path, Relative);
}

/// <summary>
/// The two files that can hold a key's body: its plain file at its key's path in the bucket's
/// folder (null when the key cannot be one) and its encoded file in the store's area
/// (<see cref="EncodedKeys"/>). As this store writes, a key is in one of them at most: a write goes
/// where the key already is, a new key to its plain file when that fits. Should both exist (a file
/// put into the folder by hand), the plain one is the key's, for reads, listings and writes alike.
/// </summary>
internal readonly record struct KeyFiles(ConfinedFolder Bucket, string? Plain, ConfinedFolder Area, string Encoded)
{
    /// <summary>The file holding the key now and its version, or null.</summary>
    public (KeyFile File, FileVersion Version)? Current()
    {
        if (Plain is not null && Bucket.VersionOf(Plain) is { } plain) return (new KeyFile(Bucket, Plain), plain);
        return Area.VersionOf(Encoded) is { } encoded ? (new KeyFile(Area, Encoded), encoded) : null;
    }
}
