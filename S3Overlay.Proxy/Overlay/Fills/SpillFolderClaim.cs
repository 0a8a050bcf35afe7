using Microsoft.Extensions.Logging;

namespace S3Overlay.Overlay.Fills;

/// <summary>
/// This overlay's own folder inside the configured spill folder (<see cref="SpillDirectory"/>),
/// locked while the overlay lives: disposed with it, the folder is an ended run's, for the next
/// start to sweep.
/// </summary>
internal sealed class SpillFolderClaim : IDisposable
{
    private readonly IDisposable _lock;

    public SpillFolderClaim(OverlaySettings settings, ILogger<SpillFolderClaim> logger) => (Folder, _lock) = SpillDirectory.Claim(settings.SpillDirectory, logger);

    public string Folder { get; }

    public void Dispose() => _lock.Dispose();
}
