using S3Overlay.Overlay;
using S3Overlay.Storage.FileSystem;
using Microsoft.Extensions.Logging.Abstractions;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Overlay.Fills;

namespace S3Overlay.Tests.Storage;

/// <summary>
/// One server per data folder, and so a complete sweep: the server's store locks its folder
/// (<see cref="FileSystemStoreOptions.Exclusive"/>) and removes every temp file at start-up, young
/// ones too; a second owner is refused, naming the holder; the spill folder of every run is its own,
/// and an ended run's goes at the next start whatever its age. Processes: ServeCommandLineTests and
/// the crash runs (0 temp files after every kill and immediate restart).
/// </summary>
[UnitTests]
public sealed class DataFolderOwnerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("s3overlay-owner-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly FileSystemStoreOptions Owner = new() { Exclusive = true };

    [Fact]
    public void A_second_owner_of_a_data_folder_is_refused_naming_the_holder_until_the_first_lets_go()
    {
        using (new FileSystemObjectStore(_dir, TimeProvider.System, Owner))
        {
            var refused = Assert.Throws<DataFolderInUseException>(() => new FileSystemObjectStore(_dir, TimeProvider.System, Owner));
            Assert.Contains($"{_dir} is in use by another S3 Overlay server (process {Environment.ProcessId})", refused.Message);
            Assert.Contains("S3_OVERLAY_LOCAL_ENDPOINT", refused.Message);
        }
        using var next = new FileSystemObjectStore(_dir, TimeProvider.System, Owner);
    }

    [Fact]
    public void The_owner_removes_every_temp_file_at_start_up_and_a_store_that_shares_the_folder_only_old_ones()
    {
        new FileSystemObjectStore(_dir, TimeProvider.System).Dispose();
        var tmp = Path.Join(_dir, ".s3overlay", "tmp");
        File.WriteAllText(Path.Join(tmp, "just-now"), "a body a crash cut off a second ago");
        File.WriteAllText(Path.Join(tmp, "long-ago"), "an older one");
        File.SetLastWriteTimeUtc(Path.Join(tmp, "long-ago"), DateTime.UtcNow.AddMinutes(-10));

        using (new FileSystemObjectStore(_dir, TimeProvider.System)) // not the owner: another process may be writing
            Assert.Equal(["just-now"], Directory.GetFiles(tmp).Select(Path.GetFileName));

        using var owner = new FileSystemObjectStore(_dir, TimeProvider.System, Owner);
        Assert.Empty(Directory.GetFiles(tmp));
    }

    [Fact]
    public void Each_run_spills_into_its_own_folder_and_an_ended_runs_folder_goes_at_the_next_start()
    {
        var (ended, endedClaim) = SpillDirectory.Claim(_dir, NullLogger.Instance);
        var (live, liveClaim) = SpillDirectory.Claim(_dir, NullLogger.Instance);
        Assert.NotEqual(ended, live);
        File.WriteAllText(Path.Join(ended, "spill-1.tmp"), "a fill's bytes");
        File.WriteAllText(Path.Join(live, "spill-2.tmp"), "a live fill's bytes");
        endedClaim.Dispose(); // the run ended (a kill closes it as well): a second later, not minutes

        var (next, nextClaim) = SpillDirectory.Claim(_dir, NullLogger.Instance);
        using (liveClaim)
        using (nextClaim)
        {
            Assert.False(Directory.Exists(ended));
            Assert.Equal(["spill-2.tmp"], Directory.GetFiles(live).Select(Path.GetFileName));
            Assert.True(Directory.Exists(next));
            Assert.Equal(new[] { live, next }.Order(), Directory.GetDirectories(_dir).Order());
            Assert.Empty(Directory.GetFiles(_dir));
        }
    }

    [Fact]
    public async Task Proxies_starting_together_sweep_the_same_ended_runs_without_tripping_over_each_other()
    {
        // A fresh-clone run failed so: two proxies of one test process started at once, one removed
        // an ended run's folder between the other's listing and its lock.
        for (var round = 0; round < 30; round++)
        {
            for (var i = 0; i < 40; i++) Directory.CreateDirectory(Path.Join(_dir, $"run-{round}-{i}")); // ended runs: no lock held
            using var start = new Barrier(8);
            var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Factory.StartNew(() =>
            {
                start.SignalAndWait();
                return SpillDirectory.Claim(_dir, NullLogger.Instance);
            }, TaskCreationOptions.LongRunning)));
            foreach (var (_, claim) in claims) claim.Dispose();
        }
        SpillDirectory.Sweep(_dir, NullLogger.Instance);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }
}
