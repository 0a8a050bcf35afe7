using System.Diagnostics;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Cli;

/// <summary>
/// The .NET tool as a user gets it: <c>dotnet pack</c> (of the proxy the tests were built with),
/// <c>dotnet tool install --tool-path … --add-source …</c>, then the installed <c>s3overlay</c> run
/// from a folder outside the repository, serving a folder to an S3 client.
/// </summary>
[Collection(ProxyProjectOutputs.Name)]
[FunctionalTests]
public sealed class InstalledToolTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("s3overlay-tool-").FullName;

    [Fact]
    public async Task The_packed_tool_installs_into_a_tool_path_and_serves_a_folder()
    {
        // The tests' own build configuration (bin/<Configuration>/net10.0), so pack needs no build.
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        // A version of its own: an earlier package of the same version in NuGet's caches must not be the one installed.
        var version = $"0.0.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        var packages = Path.Combine(_dir, "packages");
        await RunAsync("dotnet", "pack", Path.Combine(RepoPaths.Root, "S3Overlay.Proxy"), "--no-build", "-c", configuration, "-o", packages, $"-p:Version={version}", "-nologo", "-v", "quiet");
        Assert.True(File.Exists(Path.Combine(packages, $"s3overlay.{version}.nupkg")));

        var tools = Path.Combine(_dir, "tools");
        await RunAsync("dotnet", "tool", "install", "s3overlay", "--version", version, "--tool-path", tools, "--add-source", packages);

        var site = Directory.CreateDirectory(Path.Combine(_dir, "site")).FullName;
        await File.WriteAllTextAsync(Path.Combine(site, "index.html"), "<h1>hi</h1>");
        await using var server = await ServeProcess.StartAsync([Path.Combine(tools, "s3overlay")], ["./site", "--access-key", "tool", "--secret-key", "toolsecret"], _dir);
        using var client = S3Clients.Create(server.Url, "tool", "toolsecret");
        using var response = await client.GetObjectAsync("site", "index.html");
        using var reader = new StreamReader(response.ResponseStream);
        Assert.Equal("<h1>hi</h1>", await reader.ReadToEndAsync());
    }

    private async Task RunAsync(string program, params string[] args)
    {
        var info = ServeProcess.Command(program, _dir, null, args);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} exited {process.ExitCode}:\n{await output}\n{await error}");
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
