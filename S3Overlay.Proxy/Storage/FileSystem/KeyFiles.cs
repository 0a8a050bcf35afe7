namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// The two files that can hold a key's body: its plain file at its key's path (null when the key
/// cannot be one) and its encoded file in the store's area (<see cref="EncodedKeys"/>). As this
/// store writes, a key is in one of them at most: a write goes where the key already is, a new key
/// to its plain file when that fits. Should both exist (a file put into the folder by hand), the
/// plain one is the key's, for reads, listings and writes alike.
/// </summary>
internal readonly record struct KeyFiles(string BucketDir, string? Plain, string AreaRoot, string Encoded)
{
    /// <summary>The file holding the key now, or null.</summary>
    public string? Current => Plain is not null && File.Exists(Plain) ? Plain : File.Exists(Encoded) ? Encoded : null;
}
