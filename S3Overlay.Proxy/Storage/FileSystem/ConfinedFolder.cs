using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// A folder the store never leaves, through a symbolic link or otherwise: a bucket's folder, or
/// the store's area. Paths are relative to it (<c>/</c>-separated, no empty, <c>.</c> or <c>..</c>
/// segments). On Linux each is resolved from the folder's open handle by the kernel, once, with
/// openat2's <c>RESOLVE_BENEATH</c>: a link that stays inside is followed, one that leads out
/// (an absolute target, or enough <c>..</c>) fails as if nothing were there. Writes create folders
/// and rename bodies with the <c>*at</c> calls on folders so opened, so a link swapped in by
/// someone else between a check and the write cannot take it elsewhere. Where openat2 is refused
/// (kernels before 5.6, old container profiles), every segment is opened with <c>O_NOFOLLOW</c>
/// instead: no link is followed at all. On other systems paths are checked segment by segment
/// for links (not proof against such a swap).
/// </summary>
/// <remarks>
/// With <paramref name="followLinksOutForReads"/> (<c>S3_OVERLAY_FOLLOW_LINKS_OUT</c>) reads and
/// listings follow every link, as a plain open would; writes, deletes and the folders they create
/// stay confined whatever it says.
/// </remarks>
internal sealed class ConfinedFolder(SafeFileHandle handle, string path, bool followLinksOutForReads)
{
    private static bool _noOpenat2 = !OperatingSystem.IsLinux();

    /// <summary>The folder's full path (for messages, and the path-based fallback).</summary>
    public string Path { get; } = path;

    /// <summary>The open folder; on Linux its identity outlives renames of the path.</summary>
    public SafeFileHandle Handle { get; } = handle;

    /// <summary>Opens the folder at <paramref name="path"/> (a link there is followed: that is the operator's); null when there is none.</summary>
    public static ConfinedFolder? Open(string path, bool followLinksOutForReads)
    {
        if (!OperatingSystem.IsLinux())
            return System.IO.Directory.Exists(path) ? new ConfinedFolder(new SafeFileHandle(), path, followLinksOutForReads) : null;
        var fd = LinuxCalls.Open(path, LinuxCalls.ReadOnly | LinuxCalls.Directory | LinuxCalls.CloseOnExec);
        if (fd >= 0) return new ConfinedFolder(new SafeFileHandle(fd, ownsHandle: true), path, followLinksOutForReads);
        var error = Marshal.GetLastPInvokeError();
        return error is LinuxCalls.NoSuchEntry or LinuxCalls.NotADirectory ? null : throw LinuxCalls.Error(error, path);
    }

    /// <summary>
    /// The file at <paramref name="relative"/> open for reading, and its version; null when there
    /// is none there: missing, a folder, or reached only through a link out of the folder.
    /// </summary>
    public (SafeFileHandle File, FileVersion Version)? TryOpen(string relative)
    {
        if (!OperatingSystem.IsLinux())
            return followLinksOutForReads || !CrossesLink(relative) ? StoreFiles.TryOpen(FullPath(relative)) : null;
        var fd = followLinksOutForReads
            ? LinuxCalls.OpenAt(Handle, relative, LinuxCalls.ReadOnly | LinuxCalls.CloseOnExec)
            : OpenBeneath(Handle, relative, LinuxCalls.ReadOnly | LinuxCalls.CloseOnExec);
        if (fd < 0) return IsAbsent(Marshal.GetLastPInvokeError(), relative);
        return StoreFiles.Described(new SafeFileHandle(fd, ownsHandle: true));
    }

    /// <summary>The version of the file at <paramref name="relative"/>, or null when there is none (as <see cref="TryOpen"/>).</summary>
    public FileVersion? VersionOf(string relative)
    {
        if (TryOpen(relative) is not { } opened) return null;
        using (opened.File) return opened.Version;
    }

    /// <summary>
    /// The folder at <paramref name="relative"/> (empty: this one) open for listing, as reads
    /// resolve it; null when there is none.
    /// </summary>
    public SafeFileHandle? TryOpenFolder(string relative) => TryOpenFolder(relative, forReading: true);

    /// <summary>A path through which .NET can enumerate an open folder (the folder itself, not whatever its path names now).</summary>
    public string EnumerationPath(SafeFileHandle folder, string relative) =>
        OperatingSystem.IsLinux() ? "/proc/self/fd/" + folder.DangerousGetHandle() : FullPath(relative);

    /// <summary>
    /// How often a write whose folder was pruned under it tries again. No prune of this process
    /// comes between a write's two steps (<see cref="PruningLocks"/>: with one try only, six
    /// writers beside deletes of their folders never failed), and the data folder has one server,
    /// so only something else that removes empty folders (by hand, a cleaning tool) can make it
    /// try again: a one-off, so the next try goes at once. A wait between tries would hold a
    /// thread-pool thread, as the rename runs synchronously under the store's bucket gate.
    /// </summary>
    private const int Attempts = 10;

    /// <summary>
    /// Renames the file at <paramref name="from"/> (a full path, in the store's temp folder) to
    /// <paramref name="relative"/>, creating the folders above it. With <paramref name="replace"/>
    /// it replaces what is there (the key's file, or a link to it: the link itself, never its
    /// target); without, nothing may be there. False when something is in the way: a file where
    /// a folder must be, a folder or (without replace) anything at the name, or a link that leads
    /// out of the folder, to nothing, or (while creating folders) anywhere.
    /// </summary>
    public bool TryRenameInto(string from, string relative, bool replace, bool flush)
    {
        if (!OperatingSystem.IsLinux()) return TryRenameByPath(from, relative, replace, flush);
        var (parent, name) = Split(relative);
        var pruning = PruningLocks.For(_folderKey, parent);
        // A delete of another key prunes the folders it emptied, so one of ours may go between
        // creating it and renaming into it: that is tried again. Not for long. A prune of this
        // process waits for each try; the flush goes without the lock, so a delete is never held
        // up behind it.
        for (var attempt = 1; ; attempt++)
        {
            SafeFileHandle? folder = null;
            try
            {
                Renaming outcome;
                pruning.EnterReadLock();
                try
                {
                    outcome = TryRenameOnce(from, parent, name, relative, replace, out folder); // folder is set before it can throw, and disposed below
                }
                finally
                {
                    pruning.ExitReadLock();
                }
                switch (outcome)
                {
                    case Renaming.Done:
                        if (flush) LinuxCalls.Fsync(folder!);
                        return true;
                    case Renaming.InTheWay:
                        return false;
                    case Renaming.FoldersPruned or Renaming.FolderPrunedAtRename when attempt < Attempts:
                        continue;
                    case Renaming.FoldersPruned:
                        return false;
                    default: // our folder went at the rename, every time
                        throw LinuxCalls.Error(LinuxCalls.NoSuchEntry, FullPath(relative));
                }
            }
            finally
            {
                folder?.Dispose();
            }
        }
    }

    /// <summary>What one try of <see cref="TryRenameInto"/> came to.</summary>
    private enum Renaming { Done, InTheWay, FoldersPruned, FolderPrunedAtRename }

    /// <summary>Which folder this is to <see cref="PruningLocks"/>.</summary>
    private readonly int _folderKey = PruningLocks.FolderKey(handle, path);

    /// <summary>
    /// One try, under the pruning lock: the folders above <paramref name="name"/> made (or found)
    /// and the file renamed into them. <paramref name="folder"/> is the folder renamed into (to
    /// flush), or the one found before the rename failed.
    /// </summary>
    private Renaming TryRenameOnce(string from, string parent, string name, string relative, bool replace, out SafeFileHandle? folder)
    {
        folder = TryCreateFolders(parent, out var pruned);
        if (folder is null) return pruned ? Renaming.FoldersPruned : Renaming.InTheWay;
        if (LinuxCalls.RenameAt(LinuxCalls.CurrentFolder, from, folder, name, replace ? 0 : LinuxCalls.NoReplace) == 0) return Renaming.Done;
        var error = Marshal.GetLastPInvokeError();
        if (error == LinuxCalls.InvalidArgument && !replace) return TryRenameWithoutNoReplace(from, folder, name, relative) ? Renaming.Done : Renaming.InTheWay;
        if (error is LinuxCalls.Exists or LinuxCalls.NotEmpty or LinuxCalls.IsADirectory or LinuxCalls.NotADirectory) return Renaming.InTheWay;
        if (error == LinuxCalls.NoSuchEntry && File.Exists(from)) return Renaming.FolderPrunedAtRename; // by another process: this one's prunes wait
        throw LinuxCalls.Error(error, FullPath(relative));
    }

    /// <summary>
    /// Removes the key's file at <paramref name="relative"/> (a link to a file inside: the link,
    /// never its target), then the folders that leaves empty. False when there was none.
    /// </summary>
    public bool Delete(string relative)
    {
        if (!OperatingSystem.IsLinux())
        {
            if (CrossesLink(relative) || !File.Exists(FullPath(relative))) return false;
            File.Delete(FullPath(relative));
            PruneByPath(relative);
            return true;
        }
        if (VersionOf(relative) is null) return false;
        var (parent, name) = Split(relative);
        using (var folder = TryOpenFolder(parent, forReading: false))
        {
            if (folder is null) return false;
            if (LinuxCalls.UnlinkAt(folder, name, 0) != 0)
            {
                var error = Marshal.GetLastPInvokeError();
                if (error is LinuxCalls.NoSuchEntry or LinuxCalls.IsADirectory) return false;
                throw LinuxCalls.Error(error, FullPath(relative));
            }
        }
        PruneEmptyFolders(parent);
        return true;
    }

    /// <summary>
    /// Removes the folders above a deleted key that it left empty, so a key of a folder's name can
    /// be a plain file later: each from its parent's handle, never through a link.
    /// </summary>
    private void PruneEmptyFolders(string relative)
    {
        var pruning = PruningLocks.For(_folderKey, relative);
        pruning.EnterWriteLock();
        try
        {
            while (relative.Length > 0)
            {
                var (parent, name) = Split(relative);
                using var folder = TryOpenFolder(parent, forReading: false);
                if (folder is null || LinuxCalls.UnlinkAt(folder, name, LinuxCalls.RemoveFolder) != 0) return; // not empty, gone, or a link
                relative = parent;
            }
        }
        finally
        {
            pruning.ExitWriteLock();
        }
    }

    /// <summary>The folder at <paramref name="relative"/>, creating what is missing of it; null when something is in the way (or, <paramref name="pruned"/>, went meanwhile).</summary>
    private SafeFileHandle? TryCreateFolders(string relative, out bool pruned)
    {
        pruned = false;
        if (TryOpenFolder(relative, forReading: false) is { } existing) return existing;
        if (Marshal.GetLastPInvokeError() != LinuxCalls.NoSuchEntry) return null;
        // One segment at a time from here: a folder made is opened from its parent's handle.
        SafeFileHandle? current = null;
        try
        {
            foreach (var segment in relative.Split('/'))
            {
                var parent = current ?? Handle;
                var next = OpenFolderAt(parent, segment);
                if (next is null && Marshal.GetLastPInvokeError() == LinuxCalls.NoSuchEntry)
                {
                    var made = LinuxCalls.MakeFolderAt(parent, segment, 0b111_111_111) == 0; // as .NET's, less the umask
                    var error = Marshal.GetLastPInvokeError();
                    if (!made && error == LinuxCalls.NoSuchEntry) { pruned = true; return null; } // the parent went
                    if (!made && error != LinuxCalls.Exists) throw LinuxCalls.Error(error, FullPath(relative));
                    next = OpenFolderAt(parent, segment);
                    // Gone between mkdir (made here, or found made by another write) and open: pruned by a delete.
                    if (next is null && Marshal.GetLastPInvokeError() == LinuxCalls.NoSuchEntry) { pruned = true; return null; }
                }
                if (next is null) return null; // a file, a link out or to nothing: in the way
                current?.Dispose();
                current = next;
            }
            var found = current;
            current = null;
            return found;
        }
        finally
        {
            current?.Dispose();
        }
    }

    private SafeFileHandle? TryOpenFolder(string relative, bool forReading)
    {
        if (!OperatingSystem.IsLinux()) // a stand-in handle: the folder is then enumerated by its path
            return (forReading && followLinksOutForReads || !CrossesLink(relative)) && System.IO.Directory.Exists(FullPath(relative)) ? new SafeFileHandle() : null;
        if (relative.Length == 0) relative = ".";
        const int flags = LinuxCalls.ReadOnly | LinuxCalls.CloseOnExec;
        var fd = forReading && followLinksOutForReads
            ? LinuxCalls.OpenAt(Handle, relative, flags | LinuxCalls.Directory)
            : OpenBeneath(Handle, relative, flags | LinuxCalls.Directory);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : null;
    }

    /// <summary>One folder below <paramref name="parent"/>, not through a link leading out of it.</summary>
    private static SafeFileHandle? OpenFolderAt(SafeFileHandle parent, string name)
    {
        var fd = OpenBeneath(parent, name, LinuxCalls.ReadOnly | LinuxCalls.CloseOnExec | LinuxCalls.Directory);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : null;
    }

    /// <summary>
    /// openat2 beneath <paramref name="folder"/>; where that is refused, the same path opened one
    /// segment at a time with <c>O_NOFOLLOW</c> (stricter: no link at all). -1 and errno on failure.
    /// </summary>
    private static int OpenBeneath(SafeFileHandle folder, string relative, int flags)
    {
        if (!_noOpenat2)
        {
            for (var attempt = 0; attempt < 8; attempt++)
            {
                var fd = LinuxCalls.OpenBeneath(folder, relative, flags);
                if (fd >= 0) return fd;
                var error = Marshal.GetLastPInvokeError();
                if (error == LinuxCalls.TryAgain) continue; // a rename elsewhere raced the lookup: the kernel asks again
                if (error is not (LinuxCalls.NotImplemented or LinuxCalls.NotPermitted)) return fd;
                _noOpenat2 = true;
                break;
            }
            if (!_noOpenat2) return -1;
        }
        return OpenWithoutLinks(folder, relative, flags);
    }

    private static int OpenWithoutLinks(SafeFileHandle folder, string relative, int flags)
    {
        var segments = relative.Split('/');
        SafeFileHandle? current = null;
        try
        {
            for (var i = 0; i < segments.Length - 1; i++)
            {
                var fd = LinuxCalls.OpenAt(current ?? folder, segments[i], LinuxCalls.ReadOnly | LinuxCalls.CloseOnExec | LinuxCalls.Directory | LinuxCalls.NoFollow);
                if (fd < 0) return fd;
                current?.Dispose();
                current = new SafeFileHandle(fd, ownsHandle: true);
            }
            return LinuxCalls.OpenAt(current ?? folder, segments[^1], flags | LinuxCalls.NoFollow);
        }
        finally
        {
            var error = Marshal.GetLastPInvokeError();
            current?.Dispose();
            Marshal.SetLastPInvokeError(error);
        }
    }

    /// <summary>Renaming without RENAME_NOREPLACE (a file system without it): looks first; a name taken since is replaced, which leads nowhere outside.</summary>
    private bool TryRenameWithoutNoReplace(string from, SafeFileHandle folder, string name, string relative)
    {
        var existing = LinuxCalls.OpenAt(folder, name, LinuxCalls.ReadOnly | LinuxCalls.CloseOnExec | LinuxCalls.NoFollow);
        var error = Marshal.GetLastPInvokeError();
        if (existing >= 0) new SafeFileHandle(existing, ownsHandle: true).Dispose();
        if (existing >= 0 || error != LinuxCalls.NoSuchEntry) return false; // something (a file, a folder, a link) is there
        if (LinuxCalls.RenameAt(LinuxCalls.CurrentFolder, from, folder, name, 0) != 0) throw LinuxCalls.Error(Marshal.GetLastPInvokeError(), FullPath(relative));
        return true;
    }

    /// <summary>A miss, or an error to report: what a lookup that finds nothing to read says.</summary>
    private (SafeFileHandle, FileVersion)? IsAbsent(int error, string relative) =>
        error is LinuxCalls.NoSuchEntry or LinuxCalls.NotADirectory or LinuxCalls.CrossDevice or LinuxCalls.TooManyLinks
            ? null : throw LinuxCalls.Error(error, FullPath(relative));

    private string FullPath(string relative) => System.IO.Path.Join(Path, relative);

    private static (string Parent, string Name) Split(string relative)
    {
        var at = relative.LastIndexOf('/');
        return at < 0 ? ("", relative) : (relative[..at], relative[(at + 1)..]);
    }

    // Elsewhere than Linux: by path, refusing every link (checked, then used: not proof against a swap between the two).

    private bool CrossesLink(string relative)
    {
        var path = Path;
        foreach (var segment in relative.Split('/'))
        {
            path = System.IO.Path.Join(path, segment);
            var entry = new FileInfo(path);
            if (!entry.Exists && !System.IO.Directory.Exists(path)) return false;
            if (entry.LinkTarget is not null) return true;
        }
        return false;
    }

    private bool TryRenameByPath(string from, string relative, bool replace, bool flush)
    {
        if (CrossesLink(relative)) return false;
        var target = FullPath(relative);
        var (parent, _) = Split(relative);
        try
        {
            System.IO.Directory.CreateDirectory(FullPath(parent));
        }
        catch (IOException) { return false; } // a file in the way
        if (System.IO.Directory.Exists(target) || (!replace && File.Exists(target))) return false;
        try { File.Move(from, target, overwrite: replace); }
        catch (IOException) when (System.IO.Directory.Exists(target) || File.Exists(target)) { return false; }
        if (flush) StoreFiles.FlushFolder(FullPath(parent));
        return true;
    }

    private void PruneByPath(string relative)
    {
        for (var (parent, _) = Split(relative); parent.Length > 0; parent = Split(parent).Parent)
        {
            try { System.IO.Directory.Delete(FullPath(parent)); }
            catch (IOException) { return; }
        }
    }
}
