using Microsoft.Win32.SafeHandles;

namespace S3Overlay.Storage.Encryption;

/// <summary>
/// Staged files through the encryption layer, over a store that takes them (the embedded one): a
/// file staged for an object stored in the clear is renamed into place by that store, as without
/// the layer; one to be encrypted is read through <paramref name="sealing"/> (the layer itself,
/// so it is sealed exactly as a PUT would be), and removed.
/// </summary>
/// <param name="beneath">The staging of the store beneath the layer.</param>
/// <param name="sealing">The encryption layer over that same store.</param>
internal sealed class EncryptedStaging(IStagingStore beneath, EncryptedObjectStore sealing) : IStagingStore
{
    public string NewStagingPath() => beneath.NewStagingPath();

    public async Task<ObjectInfo> PutStagedObjectAsync(string bucket, string key, string path, SafeFileHandle file, ObjectWrite write, CancellationToken ct)
    {
        if (await sealing.StoresInTheClearAsync(bucket, write, ct))
            return await beneath.PutStagedObjectAsync(bucket, key, path, file, write with { Metadata = Envelope.Clean(write.Metadata) }, ct);
        try
        {
            await using var staged = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous);
            return await sealing.PutObjectAsync(bucket, key, staged, write with { ContentLength = write.ContentLength ?? staged.Length }, ct);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
