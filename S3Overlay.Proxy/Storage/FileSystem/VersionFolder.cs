using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// One key's versions other than the one at its path: for each, a record (<c>&lt;id&gt;.json</c>,
/// the sidecar it had, with its id and order) and, unless it is a delete marker, its body
/// (<c>&lt;id&gt;</c>). A body gets here as a hard link to the file that was the key's, made
/// before the write that replaces it renames anything: its bytes are never copied or rewritten,
/// and a kill at any step leaves the version whole in one place or the other (a version found
/// both here and at the key's path is the current one). Delete markers are recorded here even
/// while current, so this folder lists every key that has versions beyond its current body.
/// </summary>
/// <param name="changing">Called before the folder is made or changed (the listing index names the key, its records unsettled; removing says a removal, which frees room).</param>
/// <param name="removed">Called once the folder is gone (the index then no longer names the key).</param>
internal sealed class VersionFolder(string path, Action<bool>? changing = null, Action? removed = null)
{
    public string Path { get; } = path;

    public string BodyPath(string versionId) => System.IO.Path.Join(Path, versionId);

    private string RecordPath(string versionId) => System.IO.Path.Join(Path, versionId + ".json");

    public ObjectSidecar? Find(string versionId) => ObjectSidecar.TryRead(RecordPath(versionId));

    /// <summary>Every record here, newest first (a record whose body a crash left unlinked is no version).</summary>
    public List<ObjectSidecar> Records()
    {
        var records = new List<ObjectSidecar>();
        try
        {
            foreach (var file in Directory.EnumerateFiles(Path, "*.json"))
                if (ObjectSidecar.TryRead(file) is { VersionId: not null } record && (record.DeleteMarker || File.Exists(BodyPath(record.VersionId))))
                    records.Add(record);
        }
        catch (DirectoryNotFoundException) { }
        records.Sort((a, b) => b.Sequence.CompareTo(a.Sequence));
        return records;
    }

    /// <summary>
    /// Keeps a version here: its body linked from <paramref name="body"/> (the open file that holds
    /// it; none for a delete marker), then its record, both flushed before this returns.
    /// </summary>
    public void Keep(ObjectSidecar record, SafeFileHandle? body, string tempPath)
    {
        changing?.Invoke(false);
        Directory.CreateDirectory(Path);
        if (body is not null)
        {
            var target = BodyPath(record.VersionId!);
            File.Delete(target); // what a kill left of an earlier try: the same version's
            Link(body, target, tempPath);
        }
        record.Write(RecordPath(record.VersionId!), tempPath);
    }

    /// <summary>Removes a version: its record first, so no record is left naming a missing body.</summary>
    public void Remove(string versionId)
    {
        if (!Directory.Exists(Path))
        {
            removed?.Invoke(); // nothing here to change
            return;
        }
        changing?.Invoke(true);
        try
        {
            File.Delete(RecordPath(versionId));
            File.Delete(BodyPath(versionId));
        }
        catch (DirectoryNotFoundException)
        {
            removed?.Invoke();
            return;
        }
        try { Directory.Delete(Path); } // the last one: leave no empty folder to list
        catch (IOException) { return; }
        removed?.Invoke();
    }

    /// <summary>
    /// A second name for the open file. On Linux, by its descriptor (what the handle reads, even if
    /// the key's path changed since); elsewhere (or where links are refused) a copy of its bytes.
    /// </summary>
    public static void Link(SafeFileHandle body, string target, string tempPath)
    {
        if (OperatingSystem.IsLinux() && linkat(CurrentFolder, "/proc/self/fd/" + body.DangerousGetHandle(), CurrentFolder, target, FollowLink) == 0) return;
        using (var copy = StoreFiles.CreateOwnerOnly(tempPath, 128 * 1024))
        using (var source = new FileStream(new SafeFileHandle(body.DangerousGetHandle(), ownsHandle: false), FileAccess.Read))
        {
            source.CopyTo(copy);
            copy.Flush(flushToDisk: true);
        }
        File.Move(tempPath, target);
    }

    private const int CurrentFolder = -100; // AT_FDCWD
    private const int FollowLink = 0x400; // AT_SYMLINK_FOLLOW: link what /proc/self/fd/N leads to

    [DllImport("libc", SetLastError = true)]
    private static extern int linkat(int fromFolder, [MarshalAs(UnmanagedType.LPUTF8Str)] string from, int toFolder, [MarshalAs(UnmanagedType.LPUTF8Str)] string to, int flags);
}
