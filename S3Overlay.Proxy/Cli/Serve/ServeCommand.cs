using System.CommandLine;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using S3Overlay.Configuration;
using S3Overlay.Configuration.Catalog;
using S3Overlay.Hosting;

namespace S3Overlay.Cli.Serve;

/// <summary><c>s3overlay serve [FOLDER] [--flags]</c>: the server, with the common settings as flags.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var folder = new Argument<string?>("folder")
        {
            Arity = ArgumentArity.ZeroOrOne,
            Description = "An existing folder to serve as a bucket named after it (its files are the objects)",
        };
        var bucket = new Option<string?>("--bucket") { Description = "Bucket name for FOLDER [default: the folder's name]" };
        var config = new Option<string?>("--config")
        {
            Description = "A JSON settings file, as appsettings.json (the bucket configuration Overlay:Buckets, any Overlay:* setting); variables and flags win over it",
        };
        var command = new Command("serve", "Run the S3 server (flags > S3_OVERLAY_* variables > --config file > appsettings.json)") { folder, bucket, config };
        foreach (var flag in ServeFlag.All) command.Options.Add(new Option<string?>(flag.Name) { Description = flag.HelpText });

        command.SetAction((result, ct) =>
        {
            var given = FlagSettings(result);
            if (result.GetValue(folder) is { } path)
            {
                var dataDir = ServerCatalog.DataDir.FlagSets;
                given[dataDir] = FolderBucket.Prepare(path, result.GetValue(bucket), given.GetValueOrDefault(dataDir));
            }
            else if (result.GetValue(bucket) is not null) throw new CliException("--bucket names the bucket of a FOLDER; give the folder too");
            var file = result.GetValue(config) is { } configPath ? Path.GetFullPath(configPath) : null;
            if (file is not null && !File.Exists(file)) throw new CliException($"--config: {file}: no such file");
            return RunAsync([], given, result.InvocationConfiguration.Output, ct, file);
        });
        return command;
    }

    /// <summary>The settings the flags on this command line set, by configuration key; flags not given are absent.</summary>
    public static Dictionary<string, string?> FlagSettings(ParseResult result)
    {
        var given = new Dictionary<string, string?>();
        foreach (var flag in ServeFlag.All)
        {
            var option = (Option<string?>)result.CommandResult.Command.Options.First(o => o.Name == flag.Name);
            if (result.GetResult(option) is { Implicit: false }) given[flag.Setting] = result.GetValue(option);
        }
        return given;
    }

    /// <summary>
    /// Runs the server until it is stopped (Ctrl+C, SIGTERM, or <paramref name="ct"/>). <paramref name="flags"/> are added
    /// last to the configuration, after the environment and the configuration files, so they win.
    /// A bad value stops start-up naming the flag it came from (or the setting, if no flag set it).
    /// </summary>
    /// <param name="configFile">A JSON settings file added after appsettings.json and before the environment, as a second appsettings.json.</param>
    public static async Task<int> RunAsync(string[] args, IReadOnlyDictionary<string, string?> flags, TextWriter output, CancellationToken ct, string? configFile = null)
    {
        WebApplication app;
        try
        {
            app = ProxyApplication.Build(args, builder =>
            {
                if (configFile is not null) InsertBeforeEnvironment(builder.Configuration, configFile);
                builder.Configuration.AddInMemoryCollection(flags);
            });
        }
        catch (SettingException e)
        {
            throw Named(e, flags);
        }
        catch (InvalidDataException e) when (configFile is not null)
        {
            throw new CliException($"--config: {configFile}: {e.InnerException?.Message ?? e.Message}");
        }
        await using (app)
        {
            try
            {
                await app.StartAsync(ct);
            }
            catch (SettingException e) // found as the server starts (the data folder in use, say)
            {
                throw Named(e, flags);
            }
            catch (Exception e) when (e is IOException or FormatException or InvalidOperationException && flags.ContainsKey("urls"))
            {
                throw new CliException($"--listen: {e.Message}");
            }
            // One line a script (or a test) can read to find a port chosen with :0.
            var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
            await output.WriteLineAsync($"s3overlay: listening on {string.Join(' ', addresses)}");
            await output.FlushAsync(ct);
            await app.WaitForShutdownAsync(ct);
        }
        return 0;
    }

    /// <summary>The file's settings rank as appsettings.json's do: below the environment variables and the flags.</summary>
    private static void InsertBeforeEnvironment(ConfigurationManager configuration, string file)
    {
        IConfigurationBuilder sources = configuration;
        // The application's variables (no prefix), not the host's DOTNET_/ASPNETCORE_ ones before appsettings.json.
        var environment = sources.Sources.ToList().FindLastIndex(s => s is Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationSource { Prefix: null or "" });
        var json = new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource { Path = file, Optional = false, ReloadOnChange = false };
        json.ResolveFileProvider();
        if (environment < 0) sources.Add(json);
        else sources.Sources.Insert(environment, json);
    }

    /// <summary>A bad setting as the command line says it: by the flag that set it, else by the setting.</summary>
    private static Exception Named(SettingException e, IReadOnlyDictionary<string, string?> flags) =>
        ServeFlag.ForSetting(e.Setting) is { } flag && flags.ContainsKey(flag.Setting) ? new CliException($"{flag.Name}: {e.Problem}") : new CliException(e.Message);
}
