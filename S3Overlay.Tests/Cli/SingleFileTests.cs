using System.Diagnostics;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Cli;

/// <summary>
/// The one file to copy: a self-contained single-file publish for linux-x64, copied alone into an
/// empty folder and run there with no .NET on its PATH, says its version and commit and serves a
/// folder to an S3 client. The suite bundles the build it has just made instead of compiling the
/// proxy again for the runtime (5 s instead of 15 here, a quarter of the CPU), without ReadyToRun;
/// the documented command (docs/deployment.md) compiles and precompiles, which changes how fast it starts, not what it does.
/// </summary>
[Collection(ProxyProjectOutputs.Name)]
[FunctionalTests]
public sealed class SingleFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("s3overlay-single-").FullName;

    [Fact]
    public async Task The_single_file_executable_runs_alone_says_its_version_and_serves()
    {
        var publish = Path.Combine(_dir, "publish");
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        // The runtime's packages, restored into this test's folder (the build's restore, which
        // running proxies and other tests read, stays as it is)...
        var restored = Path.Combine(_dir, "restore") + "/";
        await RunAsync("dotnet", RepoPaths.Root, null, "restore", "S3Overlay.Proxy", "-r", "linux-x64", "-p:RestoreRecursive=false",
            $"-p:MSBuildProjectExtensionsPath={restored}", "-nologo", "-v", "quiet");
        // ...then publish's own steps over the build's output. The build's runtime settings say
        // "use the installed .NET": self-contained ones are written first, into this folder too.
        await RunAsync("dotnet", RepoPaths.Root, null, "msbuild", "S3Overlay.Proxy", "-t:GenerateBuildRuntimeConfigurationFiles;Publish",
            "-p:NoBuild=true", "-p:_IsPublishing=true", $"-p:Configuration={configuration}", "-p:RuntimeIdentifier=linux-x64",
            $"-p:ProjectAssetsFile={restored}project.assets.json", "-p:AppendRuntimeIdentifierToOutputPath=false",
            $"-p:ProjectRuntimeConfigFilePath={Path.Combine(_dir, "s3overlay.runtimeconfig.json")}", "-p:PublishSingleFile=true",
            "-p:PublishReadyToRun=false", "-p:AllowedReferenceRelatedFileExtensions=none", $"-p:PublishDir={publish}/", "-nologo", "-v:quiet");
        // The program and, beside it, only the optional settings file.
        Assert.Equal(["appsettings.json", "s3overlay"], Directory.GetFiles(publish).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        var alone = Directory.CreateDirectory(Path.Combine(_dir, "alone")).FullName;
        var program = Path.Combine(alone, "s3overlay");
        File.Copy(Path.Combine(publish, "s3overlay"), program);
        File.SetUnixFileMode(program, File.GetUnixFileMode(Path.Combine(publish, "s3overlay")));
        var bare = new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin", ["DOTNET_ROOT"] = Path.Combine(_dir, "no-dotnet-here") };

        var version = (await RunAsync(program, alone, bare, "--version")).Trim();
        Assert.StartsWith("0.1.0+", version);
        if (await GitHeadAsync() is { } commit) Assert.Equal($"0.1.0+{commit}", version);

        Directory.CreateDirectory(Path.Combine(alone, "site"));
        await File.WriteAllTextAsync(Path.Combine(alone, "site", "index.html"), "<h1>one file</h1>");
        await using var server = await ServeProcess.StartAsync([program], ["./site", "--access-key", "single", "--secret-key", "singlesecret"], alone, bare);
        using var client = S3Clients.Create(server.Url, "single", "singlesecret");
        using var response = await client.GetObjectAsync("site", "index.html");
        Assert.Equal("<h1>one file</h1>", await new StreamReader(response.ResponseStream).ReadToEndAsync());
    }

    private static async Task<string?> GitHeadAsync()
    {
        try
        {
            return (await RunAsync("git", RepoPaths.Root, null, "rev-parse", "HEAD")).Trim();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or Xunit.Sdk.XunitException)
        {
            return null; // not a git checkout: the version carries no commit to compare
        }
    }

    private static async Task<string> RunAsync(string program, string directory, IDictionary<string, string>? environment, params string[] args)
    {
        var info = ServeProcess.Command(program, directory, null, args);
        if (environment is not null)
        {
            info.Environment.Clear();
            foreach (var (name, value) in environment) info.Environment[name] = value;
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} exited {process.ExitCode}:\n{await output}\n{await error}");
        return await output;
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
