namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// Keeps a delete's pruning of the folders it emptied out from between a write's making of its
/// folders and its rename into them, in this process: the write holds its lock shared over those
/// two steps of each try, the prune alone (<see cref="ConfinedFolder"/>). Six writers beside
/// deletes of one folder used up a write's tries in a fresh-clone run when only the random wait
/// between tries kept them apart. Something outside the server (a data folder has one) can still
/// prune in between: for that the tries remain.
/// </summary>
/// <remarks>
/// A prune of a folder can only remove folders on the path up from it, so it can only come between
/// a write and its folders when both are below the same first folder of the same confined folder:
/// the lock is chosen by the two, and a prune in one bucket (or one bucket's part of the store's
/// area) does not wait for writes in another. The confined folder is told by its device and inode,
/// so two stores over one data folder in a process (tests open one twice) take the same locks.
/// The locks are a fixed set, picked by hash: two unrelated folders that share one only wait for
/// each other, and no lock is ever made or dropped.
/// </remarks>
internal static class PruningLocks
{
    private static readonly ReaderWriterLockSlim[] Locks = Enumerable.Range(0, 64).Select(_ => new ReaderWriterLockSlim()).ToArray();

    /// <summary>The lock for writes and prunes at <paramref name="relative"/> (a folder's path) in the confined folder <paramref name="folder"/> (<see cref="FolderKey"/>).</summary>
    public static ReaderWriterLockSlim For(int folder, string relative)
    {
        var slash = relative.IndexOf('/');
        var first = slash < 0 ? relative.AsSpan() : relative.AsSpan(0, slash);
        return Locks[(uint)HashCode.Combine(folder, string.GetHashCode(first)) % (uint)Locks.Length];
    }

    /// <summary>Which folder <paramref name="handle"/> is: its device and inode where the platform tells them, else its path.</summary>
    public static int FolderKey(Microsoft.Win32.SafeHandles.SafeFileHandle handle, string path) =>
        OperatingSystem.IsLinux() && FileVersion.IdentityOf(handle) is { } identity ? identity.GetHashCode() : path.GetHashCode();
}
