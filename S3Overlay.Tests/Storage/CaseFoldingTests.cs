using Microsoft.Extensions.DependencyInjection;
using S3Overlay.Configuration;
using S3Overlay.Storage.FileSystem;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Storage;

/// <summary>
/// On a data folder that folds case (macOS, Windows), exact-name guards can be walked around
/// (<c>/DATA/PRIVATE/x</c>): the embedded store then refuses to start when it has guards to keep.
/// The file system's answer is injected, so the rule is tested on Linux too.
/// </summary>
[UnitTests]
public sealed class CaseFoldingTests
{
    private sealed class Answer(bool folds) : ICaseFoldingProbe
    {
        public bool FoldsCase(string dir) => folds;
    }

    [Fact]
    public async Task A_case_folding_data_folder_with_hidden_prefixes_stops_start_up_naming_the_setting()
    {
        var error = await Assert.ThrowsAsync<SettingException>(() => ProxyServer.StartAsync(
            new Dictionary<string, string?> { ["S3_OVERLAY_HIDDEN_PREFIXES"] = "data/private/" },
            b => b.Services.AddSingleton<ICaseFoldingProbe>(new Answer(folds: true))));
        Assert.Contains("S3_OVERLAY_DATA_DIR", error.Message);
        Assert.Contains("folds case", error.Message);
    }

    [Fact]
    public async Task A_case_folding_data_folder_under_an_overlay_stops_start_up_naming_its_cache_bucket()
    {
        // Port 9 (discard) answers nothing: the guard stops start-up before anything asks the remote.
        var error = await Assert.ThrowsAsync<SettingException>(async () => await (await ProxyServer.StartAsync(
            new Dictionary<string, string?> { ["S3_OVERLAY_REMOTE_ENDPOINT"] = "http://127.0.0.1:9" },
            b => b.Services.AddSingleton<ICaseFoldingProbe>(new Answer(folds: true)))).DisposeAsync());
        Assert.Contains("S3_OVERLAY_DATA_DIR", error.Message);
        Assert.Contains("the overlay's cache bucket", error.Message);
        Assert.DoesNotContain("hidden", error.Message);
    }

    [Fact]
    public async Task Without_guards_or_on_a_case_sensitive_folder_the_store_starts()
    {
        await using (await ProxyServer.StartAsync(configure: b => b.Services.AddSingleton<ICaseFoldingProbe>(new Answer(folds: true)))) { }
        await using (await ProxyServer.StartAsync(
            new Dictionary<string, string?> { ["S3_OVERLAY_HIDDEN_PREFIXES"] = "data/private/" },
            b => b.Services.AddSingleton<ICaseFoldingProbe>(new Answer(folds: false)))) { }
    }

    [Fact]
    public void The_probe_tells_this_machine_s_file_system_right()
    {
        var dir = Directory.CreateTempSubdirectory("s3overlay-case-").FullName;
        try
        {
            // Linux file systems here are case-sensitive; the probe leaves nothing behind.
            if (!OperatingSystem.IsLinux()) Assert.Skip("the expected answer is known for Linux only");
            Assert.False(new CaseFoldingProbe().FoldsCase(dir));
            Assert.Empty(Directory.EnumerateFileSystemEntries(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
