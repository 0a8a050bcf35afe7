using S3Overlay.Cli;
using S3Overlay.Cli.Serve;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Cli;

/// <summary>How <c>s3overlay serve</c> reads its command line, without starting a server.</summary>
[UnitTests]
public sealed class ServeCommandLineTests
{
    private static Dictionary<string, string?> Settings(params string[] args) =>
        ServeCommand.FlagSettings(S3OverlayCommand.Create().Parse(["serve", .. args]));

    [Fact]
    public void Only_the_flags_given_become_settings_under_their_variable_names()
    {
        var settings = Settings("--data-dir", "/srv/s3", "--chunk-size", "1048576", "--remote-access-key", "AK", "--listen", "http://0.0.0.0:9000", "./photos");
        Assert.Equal(new Dictionary<string, string?>
        {
            ["S3_OVERLAY_DATA_DIR"] = "/srv/s3",
            ["S3_OVERLAY_CHUNK_SIZE"] = "1048576",
            ["S3_OVERLAY_REMOTE_ACCESS_KEY_ID"] = "AK",
            ["urls"] = "http://0.0.0.0:9000",
        }, settings);
        Assert.Empty(Settings());
    }

    [Fact]
    public async Task Help_documents_every_flag_with_its_variable_and_default()
    {
        var run = await CliRun.RunAsync("serve", "--help");
        Assert.Equal(0, run.ExitCode);
        foreach (var flag in ServeFlag.All)
        {
            var line = run.Output.Split('\n').SingleOrDefault(l => l.TrimStart().StartsWith(flag.Name + " ", StringComparison.Ordinal));
            Assert.True(line is not null, $"{flag.Name} is missing from --help:\n{run.Output}");
            Assert.Contains($"[env: {flag.Variable}] [default: {flag.Default}]", line);
        }
    }

    [Theory]
    [InlineData("--chunk-size", "lots", "'lots' is not a whole number")]
    [InlineData("--chunk-size", "1000", "outside")]
    [InlineData("--remote-addressing-style", "diagonal", "'diagonal' is not virtual or path", "--remote-endpoint", "http://127.0.0.1:1")]
    [InlineData("--chunk-threshold", "1", "is below S3_OVERLAY_CHUNK_SIZE")]
    [InlineData("--cors-origins", "not an origin", "is not an origin")]
    [InlineData("--cache", "maybe", "'maybe' is not true or false")]
    [InlineData("--metrics", "sometimes", "'sometimes' is not true or false")]
    [InlineData("--access-key", "a b", "contains a space", "--secret-key", "s")]
    public async Task A_bad_value_names_its_flag_and_stops_before_serving(string flag, string value, string problem, params string[] more)
    {
        var data = Directory.CreateTempSubdirectory("s3overlay-cli-").FullName;
        var run = await CliRun.RunAsync(["serve", flag, value, "--listen", "http://127.0.0.1:0", "--data-dir", data, .. more]);
        Directory.Delete(data, recursive: true);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(flag, run.Error);
        Assert.Contains(problem, run.Error);
        Assert.DoesNotContain("listening on", run.Output);
    }

    [Fact]
    public async Task A_second_server_on_a_data_folder_in_use_stops_naming_the_flag_and_the_process_holding_it()
    {
        var data = Directory.CreateTempSubdirectory("s3overlay-cli-").FullName;
        try
        {
            await using (var first = await ServeProcess.StartAsync(["--data-dir", data], data))
            {
                var run = await CliRun.RunAsync("serve", "--data-dir", data, "--listen", "http://127.0.0.1:0");
                Assert.Equal(2, run.ExitCode);
                Assert.Contains($"--data-dir: {data} is in use by another S3 Overlay server (process {first.ProcessId})", run.Error);
                Assert.DoesNotContain("listening on", run.Output);
            }
            // The first one killed (its lock gone with it), the folder is free again at once.
            await using var again = await ServeProcess.StartAsync(["--data-dir", data], data);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Serving_a_folder_that_does_not_exist_stops_naming_it()
    {
        var missing = Path.Combine(Path.GetTempPath(), "s3overlay-no-such-" + Guid.NewGuid().ToString("N"));
        var run = await CliRun.RunAsync("serve", missing, "--listen", "http://127.0.0.1:0");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"folder {missing}: no such folder", run.Error);
    }

    [Fact]
    public async Task A_config_file_s_bucket_configuration_is_read_and_a_wrong_entry_stops_naming_its_setting()
    {
        var data = Directory.CreateTempSubdirectory("s3overlay-cli-").FullName;
        var missing = Path.Join(data, "no-such-folder");
        var config = Path.Join(data, "buckets.json");
        await File.WriteAllTextAsync(config, """{"Overlay": {"Buckets": {"photos": {"Folder": """ + System.Text.Json.JsonSerializer.Serialize(missing) + """, "ReadOnly": true}}}}""");
        var run = await CliRun.RunAsync("serve", "--config", config, "--data-dir", data, "--listen", "http://127.0.0.1:0");
        Directory.Delete(data, recursive: true);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"Setting Overlay__Buckets__photos__Folder (Overlay:Buckets:photos:Folder): {missing}: no such folder", run.Error);
        Assert.DoesNotContain("listening on", run.Output);
    }

    [Theory]
    [InlineData(new string[0], false)]
    [InlineData(new[] { "--urls", "http://127.0.0.1:9000" }, false)]
    [InlineData(new[] { "serve" }, true)]
    [InlineData(new[] { "warm", "photos" }, true)]
    [InlineData(new[] { "--help" }, true)]
    public void Without_a_verb_the_arguments_are_the_server_s_own_as_before(string[] args, bool cli) =>
        Assert.Equal(cli, S3OverlayCommand.Handles(args));
}
