using System.Diagnostics;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// A real S3 client program (aws, rclone, s3cmd, python with boto3) run as a child process with
/// its own HOME and an environment built from nothing, so nothing of the machine's own
/// configuration (profiles, proxies, CA bundles, pyenv) reaches it.
/// </summary>
public sealed class ClientProcess : IDisposable
{
    // Debian's packages, never a pyenv shim or a user's install earlier on the machine's PATH.
    internal const string SystemPath = "/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin";
    private readonly TimeSpan _timeout;

    private readonly Dictionary<string, string> _environment;
    private AwsCliShell? _aws;

    /// <param name="timeout">How long one program may run (90 s unless said): a test suite run as one program needs more.</param>
    public ClientProcess(TimeSpan? timeout = null)
    {
        _timeout = timeout ?? TimeSpan.FromSeconds(90);
        Home = Directory.CreateTempSubdirectory("s3overlay-client-").FullName;
        _environment = new Dictionary<string, string>
        {
            ["PATH"] = SystemPath,
            ["HOME"] = Home,
            ["LANG"] = "C.UTF-8",
            ["LC_ALL"] = "C.UTF-8",
            ["TMPDIR"] = Path.GetTempPath(),
            ["NO_PROXY"] = "*",
        };
    }

    /// <summary>The child's HOME, a fresh temp folder; also a place for the test's own files.</summary>
    public string Home { get; }

    public string this[string variable]
    {
        set => _environment[variable] = value;
    }

    /// <summary>Writes a file under <see cref="Home"/> and returns its path.</summary>
    public string WriteFile(string relativePath, string text)
    {
        var path = Path.Combine(Home, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>
    /// Gives the aws CLI (and boto3) of this process a default profile with these credentials:
    /// us-east-1, path-style addressing (the proxy is reached by address, not by bucket names), no
    /// instance metadata, no pager. The endpoint is each command's <c>--endpoint-url</c>.
    /// </summary>
    public void UseAwsProfile(string accessKey = Infrastructure.ProxyServer.AccessKey, string secretKey = Infrastructure.ProxyServer.SecretKey)
    {
        this["AWS_CONFIG_FILE"] = WriteFile(".aws/config", "[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n");
        this["AWS_SHARED_CREDENTIALS_FILE"] = WriteFile(".aws/credentials", $"[default]\naws_access_key_id = {accessKey}\naws_secret_access_key = {secretKey}\n");
        this["AWS_EC2_METADATA_DISABLED"] = "true";
        this["AWS_PAGER"] = "";
    }

    /// <summary>
    /// An rclone remote called <c>overlay:</c> for the S3 endpoint, in environment variables (the
    /// config file only has to exist): path-style, us-east-1, the proxy's credentials.
    /// </summary>
    public void UseRcloneRemote(string endpoint)
    {
        this["RCLONE_CONFIG"] = WriteFile("rclone.conf", "");
        this["RCLONE_CONFIG_OVERLAY_TYPE"] = "s3";
        this["RCLONE_CONFIG_OVERLAY_PROVIDER"] = "Other";
        this["RCLONE_CONFIG_OVERLAY_ENDPOINT"] = endpoint;
        this["RCLONE_CONFIG_OVERLAY_ACCESS_KEY_ID"] = Infrastructure.ProxyServer.AccessKey;
        this["RCLONE_CONFIG_OVERLAY_SECRET_ACCESS_KEY"] = Infrastructure.ProxyServer.SecretKey;
        this["RCLONE_CONFIG_OVERLAY_REGION"] = "us-east-1";
        this["RCLONE_CONFIG_OVERLAY_FORCE_PATH_STYLE"] = "true";
    }

    /// <summary>Runs the program to its end and returns its standard output; throws with both outputs when it fails.</summary>
    public async Task<string> RunAsync(string program, params string[] arguments)
    {
        var result = await TryRunAsync(program, arguments);
        if (result.ExitCode != 0)
            throw new Xunit.Sdk.XunitException(
                $"{program} {string.Join(' ', arguments)} exited with {result.ExitCode}\nstdout:\n{result.StdOut}\nstderr:\n{result.StdErr}");
        return result.StdOut;
    }

    public async Task<ClientResult> TryRunAsync(string program, params string[] arguments)
    {
        // The aws CLI runs its commands in one process started once (AwsCliShell): the same code, started once.
        if (program == AwsCliShell.Program)
            return await (_aws ??= new AwsCliShell()).RunAsync(arguments, new Dictionary<string, string>(_environment), Home, _timeout);
        // A Python script runs as a fork of a process that has imported boto3 already (PythonForks).
        if (PythonForks.Runs(program, arguments))
            return await PythonForks.RunAsync(arguments, new Dictionary<string, string>(_environment), Home, _timeout);
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Home,
        };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.Environment.Clear();
        foreach (var (k, v) in _environment) start.Environment[k] = v;

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(_timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish in {_timeout.TotalSeconds} s\nstderr:\n{await stderr}");
        }
        return new ClientResult(process.ExitCode, await stdout, await stderr);
    }

    public void Dispose()
    {
        _aws?.Dispose();
        try { Directory.Delete(Home, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

public sealed record ClientResult(int ExitCode, string StdOut, string StdErr);
