using S3Overlay.Configuration;
using S3Overlay.Storage.Hidden;

namespace S3Overlay.Storage.FileSystem;

/// <summary>Whether the file system under a folder folds case (macOS and Windows by default do).</summary>
internal interface ICaseFoldingProbe
{
    bool FoldsCase(string dir);
}

/// <summary>Asks the file system: a file created lower-case, looked up upper-case.</summary>
internal sealed class CaseFoldingProbe : ICaseFoldingProbe
{
    public bool FoldsCase(string dir)
    {
        Directory.CreateDirectory(dir);
        var name = ".s3overlay-case-probe-" + Guid.NewGuid().ToString("N");
        using (File.Create(Path.Join(dir, name), 1, FileOptions.DeleteOnClose))
            return File.Exists(Path.Join(dir, name.ToUpperInvariant()));
    }
}

/// <summary>
/// A name some part of the server guards by exact, case-sensitive comparison, registered by that
/// part (the overlay's cache bucket): <see cref="What"/> says what it is, in the start-up message.
/// </summary>
internal sealed record ExactNameGuard(string What);

/// <summary>
/// The hidden prefixes and the overlay's cache bucket are guarded by exact, case-sensitive name
/// comparisons. On a data folder that folds case, <c>/S3-OVERLAY-CACHE/…</c> or
/// <c>/data/PRIVATE/x</c> would reach the same files past them, so the embedded store refuses to
/// start there when such a guard is configured (without one, folding case only aliases keys).
/// </summary>
internal sealed class CaseFoldingGuard(ServerSettings server, HiddenNamespace hidden, ICaseFoldingProbe probe, IEnumerable<ExactNameGuard> others) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var guarded = new List<string>();
        if (!hidden.IsEmpty) guarded.Add("the hidden buckets and prefixes");
        guarded.AddRange(others.Select(o => o.What));
        if (guarded.Count == 0 || !probe.FoldsCase(server.DataDir)) return Task.CompletedTask;
        var guards = string.Join(" and ", guarded);
        throw Configuration.Catalog.ServerCatalog.DataDir.Invalid(
            $"the data folder {server.DataDir} is on a file system that folds case, where {guards} cannot be guarded " +
            "(their names are compared exactly); put the data folder on a case-sensitive file system (Linux ext4/xfs/btrfs, a case-sensitive APFS volume, " +
            "a Windows folder with per-directory case sensitivity on) or use an S3 server as the local store");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
