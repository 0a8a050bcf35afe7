using System.Security.Cryptography;
using System.Text;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// Where things live under the data folder. Buckets are its sub-folders; the store's own files are
/// in one reserved folder beside them (a name no bucket can have), on the same file system, so a
/// rename from there into a bucket is atomic:
/// <code>
/// .s3overlay/meta/&lt;bucket&gt;/&lt;xx&gt;/&lt;sha256(key)&gt;.json   metadata sidecar of one object
/// .s3overlay/tmp/                                  bodies being written
/// .s3overlay/uploads/&lt;bucket&gt;/&lt;uploadId&gt;/         multipart uploads in progress
/// .s3overlay/keys/&lt;bucket&gt;/…                          bodies of keys that cannot be plain files (<see cref="EncodedKeys"/>)
/// .s3overlay/versions/&lt;bucket&gt;/&lt;xx&gt;/&lt;sha256(key)&gt;/     a key's noncurrent versions and delete markers (<see cref="VersionFolder"/>)
/// </code>
/// Sidecars are named by a hash of the key rather than mirroring it, so no key (however long, or
/// however it nests) can collide with another key's sidecar.
/// </summary>
internal sealed class StoreLayout
{
    public const string ReservedName = ".s3overlay";

    public StoreLayout(string root)
    {
        Root = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar);
        Reserved = Path.Join(Root, ReservedName);
        Temp = Path.Join(Reserved, "tmp");
        EncodedKeysRoot = Path.Join(Reserved, "keys");
        Directory.CreateDirectory(Temp);
    }

    public string Root { get; }
    public string Reserved { get; }
    public string Temp { get; }
    public string EncodedKeysRoot { get; }

    public string BucketDir(string bucket)
    {
        ObjectPaths.CheckBucketName(bucket);
        return Path.Join(Root, bucket);
    }

    /// <summary>The bucket's part of the store's area for keys that cannot be plain files.</summary>
    public string EncodedDir(string bucket)
    {
        ObjectPaths.CheckBucketName(bucket);
        return Path.Join(EncodedKeysRoot, bucket);
    }

    public string MetaDir(string bucket) => Path.Join(Reserved, "meta", bucket);

    public string SidecarPath(string bucket, string key)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        return Path.Join(MetaDir(bucket), hash[..2], hash + ".json");
    }

    public string VersionsDir(string bucket) => Path.Join(Reserved, "versions", bucket);

    /// <summary>The folder of one key's noncurrent versions, named by the key's hash as its sidecar is.</summary>
    public string VersionsDir(string bucket, string key)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        return Path.Join(VersionsDir(bucket), hash[..2], hash);
    }

    public string UploadsDir(string bucket) => Path.Join(Reserved, "uploads", bucket);

    /// <summary>A fresh temp file name; temp files are only ever renamed into place or deleted.</summary>
    public string NewTempPath() => Path.Join(Temp, Guid.NewGuid().ToString("N"));
}
