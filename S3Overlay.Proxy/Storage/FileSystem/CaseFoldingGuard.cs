using S3Overlay.Configuration;
using S3Overlay.Overlay;
using S3Overlay.Storage.Hidden;

namespace S3Overlay.Storage.FileSystem;

/// <summary>Whether the file system under a folder folds case (macOS and Windows by default do).</summary>
public interface ICaseFoldingProbe
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
/// The hidden prefixes and the overlay's cache bucket are guarded by exact, case-sensitive name
/// comparisons. On a data folder that folds case, <c>/S3-OVERLAY-CACHE/…</c> or
/// <c>/data/PRIVATE/x</c> would reach the same files past them, so the embedded store refuses to
/// start there when such a guard is configured (without one, folding case only aliases keys).
/// </summary>
internal sealed class CaseFoldingGuard(ServerSettings server, HiddenNamespace hidden, ICaseFoldingProbe probe, IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var overlay = services.GetService<IServiceProviderIsService>()?.IsService(typeof(OverlayObjectStore)) == true;
        if ((hidden.IsEmpty && !overlay) || !probe.FoldsCase(server.DataDir)) return Task.CompletedTask;
        var guards = string.Join(" and ", new[] { hidden.IsEmpty ? null : "the hidden buckets and prefixes", overlay ? "the overlay's cache bucket" : null }.OfType<string>());
        throw Configuration.Catalog.ServerCatalog.DataDir.Invalid(
            $"the data folder {server.DataDir} is on a file system that folds case, where {guards} cannot be guarded " +
            "(their names are compared exactly); put the data folder on a case-sensitive file system (Linux ext4/xfs/btrfs, a case-sensitive APFS volume, " +
            "a Windows folder with per-directory case sensitivity on) or use an S3 server as the local store");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
