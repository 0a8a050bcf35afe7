using System.Diagnostics;
using System.Text.Json;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// A real s3rver (npm) on 127.0.0.1 at a free port, with its own data folder. It stops when
/// disposed, and by itself when the test process dies (it exits when its stdin closes).
/// Credentials: any (it runs with allowMismatchedSignatures), conventionally S3RVER/S3RVER.
/// </summary>
public sealed class S3rverProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private S3rverProcess(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}";
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    /// <summary>Its user (<see cref="AccessKey"/>), as a proxy's settings name it (<see cref="S3User.AsLocalStore"/>).</summary>
    public S3User User => UserAt(Url);

    /// <summary>Its user reached at another address: a relay in front of it.</summary>
    public static S3User UserAt(string url) => new(url, AccessKey, SecretKey);

    /// <param name="accessKey">Its one access key instead of S3RVER: requests signed with another are InvalidAccessKeyId (secrets are not checked).</param>
    /// <param name="writesInPlace">
    /// Writes an object over its files as s3rver 3.7.1 does, so a PUT cut off midway leaves it torn
    /// (what a test of a store that writes in place needs); else each is replaced whole (s3rver/durable-writes.js).
    /// </param>
    public static async Task<S3rverProcess> StartAsync(string? directory = null, string? accessKey = null, bool writesInPlace = false)
    {
        var scriptDir = Path.Combine(RepoPaths.TestsProject, "s3rver");
        directory ??= Directory.CreateTempSubdirectory("s3rver-").FullName;
        var info = new ProcessStartInfo("node", ["start.js", directory])
        {
            WorkingDirectory = scriptDir,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // s3rver 3.7.1 on Node 20 answers a truncated listing with 500 without the legacy provider (its md5 of tokens).
        info.Environment["NODE_OPTIONS"] = "--openssl-legacy-provider";
        if (accessKey is not null) info.Environment["S3RVER_ACCESS_KEY"] = accessKey;
        if (writesInPlace) info.Environment["S3RVER_WRITES_IN_PLACE"] = "1";
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start node");
        var stderr = process.StandardError.ReadToEndAsync();
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (line is null)
            throw new InvalidOperationException($"s3rver did not start: {await stderr}");
        var port = JsonDocument.Parse(line).RootElement.GetProperty("port").GetInt32();
        return new S3rverProcess(process, directory, port);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
