using Microsoft.Win32.SafeHandles;

namespace S3Overlay.Storage.Encryption;

/// <summary>
/// The encryption layer over a store that takes staged files (the embedded one): a file staged
/// for an object stored in the clear is renamed into place as before; one to be encrypted is read
/// through the sealing stream instead, and removed.
/// </summary>
internal sealed class EncryptedStagingStore(IObjectStore inner, MasterKey? master, TimeProvider clock)
    : EncryptedObjectStore(inner, master, clock), IStagingStore
{
    private readonly IStagingStore _staging = (IStagingStore)inner;

    public string NewStagingPath() => _staging.NewStagingPath();

    /// <summary>In the data folder's temp folder: on the store's own disk, and swept at start-up after a crash.</summary>
    protected override string NewSpoolPath() => _staging.NewStagingPath();

    public async Task<ObjectInfo> PutStagedObjectAsync(string bucket, string key, string path, SafeFileHandle file, ObjectWrite write, CancellationToken ct)
    {
        if (write.Encryption is null && await DefaultEncryptionAsync(bucket, ct) is null)
            return await _staging.PutStagedObjectAsync(bucket, key, path, file, write with { Metadata = Envelope.Clean(write.Metadata) }, ct);
        try
        {
            await using var staged = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous);
            return await PutObjectAsync(bucket, key, staged, write with { ContentLength = write.ContentLength ?? staged.Length }, ct);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
