namespace S3Overlay.Cli.Admin;

/// <summary><c>BUCKET[/PATH]</c> as the admin verbs take it: <c>photos</c>, <c>photos/2024/</c>, <c>photos/2024/cat.jpg</c>.</summary>
internal readonly record struct BucketPath(string Bucket, string Path)
{
    /// <summary>A path ending in '/' (or none at all) is a folder; anything else is one key.</summary>
    public bool IsFolder => Path.Length == 0 || Path.EndsWith('/');

    public static BucketPath Parse(string text)
    {
        var slash = text.IndexOf('/');
        var bucket = slash < 0 ? text : text[..slash];
        if (bucket.Length == 0) throw new CliException($"'{text}' names no bucket: give BUCKET or BUCKET/PATH");
        return new BucketPath(bucket, slash < 0 ? "" : text[(slash + 1)..]);
    }

    /// <summary><c>?key=…</c> for one key, <c>?prefix=…</c> for a folder (or, with <paramref name="asPrefix"/>, any path).</summary>
    public string Query(bool asPrefix) =>
        (IsFolder || asPrefix ? "prefix=" : "key=") + Uri.EscapeDataString(Path);

    public string EscapedBucket => Uri.EscapeDataString(Bucket);
}
