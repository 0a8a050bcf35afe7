using S3Overlay.Storage;

namespace S3Overlay.Overlay.Fills;

/// <summary>
/// What a fill's local write is given. With a local store that can take a file as it is (its
/// staging, <see cref="IStagingStore"/>: the embedded store's, registered as
/// <see cref="OverlayServices.LocalStaging"/>) the spill is made on that store's file system and,
/// once complete, renamed into place: one new file per fill, the bytes written once. Any other
/// store is given a stream of the body as it arrives.
/// </summary>
/// <param name="verified">The remote read checked the whole body as it came (<see cref="ObjectContent.VerifiedBy"/>).</param>
internal sealed class FillBody(SpillBuffer spill, Stream stream, bool verified)
{
    /// <summary>Where the spill files of fills that <paramref name="stores"/> locally go.</summary>
    /// <param name="staging">The local store's staging; null when it has none.</param>
    public static Func<string> NewSpillPath(IStagingStore? staging, SpillFolderClaim spill, bool stores) =>
        stores && staging is not null ? staging.NewStagingPath : () => SpillBuffer.NewPath(spill.Folder);

    /// <summary>Writes the body to <paramref name="local"/>: through its <paramref name="staging"/> (the one the spill path was chosen by), else as a stream.</summary>
    public async Task<ObjectInfo> StoreAsync(IObjectStore local, IStagingStore? staging, string bucket, string key, ObjectWrite write)
    {
        if (staging is null) return await local.PutObjectAsync(bucket, key, stream, write, CancellationToken.None);
        await spill.WhenCompleteAsync(CancellationToken.None);
        // The remote read checked the body by its checksum or MD5 as the bytes came: the store
        // need not read the file again to check its MD5.
        if (verified) write = write with { ContentMD5 = null };
        return await staging.PutStagedObjectAsync(bucket, key, spill.Path, spill.File, write, CancellationToken.None);
    }
}
