using System.Text.RegularExpressions;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Clients;

/// <summary>
/// GDAL 3.6 (Debian's gdal-bin and python3-gdal) pointed at a proxy through <c>/vsis3/</c>: path
/// style, plain HTTP, SigV4 with the proxy's credentials. Every run logs its HTTP exchange
/// (<c>CPL_CURL_VERBOSE</c>) to its standard error, which the tests read for what GDAL asked and got.
/// </summary>
public sealed partial class GdalClient : IDisposable
{
    private readonly ClientProcess _process = new();

    public GdalClient(string proxyUrl)
    {
        _process["AWS_S3_ENDPOINT"] = new Uri(proxyUrl).Authority;
        _process["AWS_HTTPS"] = "NO";
        _process["AWS_VIRTUAL_HOSTING"] = "FALSE";
        _process["AWS_ACCESS_KEY_ID"] = ProxyServer.AccessKey;
        _process["AWS_SECRET_ACCESS_KEY"] = ProxyServer.SecretKey;
        _process["AWS_REGION"] = "us-east-1";
        _process["CPL_CURL_VERBOSE"] = "YES";
    }

    public string Home => _process.Home;

    public string this[string variable]
    {
        set => _process[variable] = value;
    }

    /// <summary>Runs a GDAL program (<c>gdal_translate</c>, <c>gdalinfo</c>); returns its HTTP log.</summary>
    public async Task<string> RunAsync(string program, params string[] arguments)
    {
        var result = await _process.TryRunAsync("/usr/bin/" + program, arguments);
        if (result.ExitCode != 0)
            throw new Xunit.Sdk.XunitException($"{program} {string.Join(' ', arguments)} exited with {result.ExitCode}\n{result.StdErr}");
        return result.StdErr;
    }

    /// <summary>Reads the windows of <paramref name="source"/> in one GDAL process, in order (gdal_windows.py): their hashes and GDAL's HTTP log.</summary>
    public async Task<(string[] Hashes, string Log)> ReadWindowsAsync(string source, params GdalRasters.Window[] windows)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Clients", "gdal_windows.py");
        var result = await _process.TryRunAsync("/usr/bin/python3", [script, source, .. windows.Select(w => w.ToString())]);
        if (result.ExitCode != 0)
            throw new Xunit.Sdk.XunitException($"gdal_windows.py {source} exited with {result.ExitCode}\n{result.StdErr}");
        return (result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries), result.StdErr);
    }

    /// <summary>The byte ranges GDAL asked for in a run's log (<c>Range: bytes=a-b</c>).</summary>
    public static IReadOnlyList<(long First, long Last)> RangesAsked(string log) =>
        [.. RangeHeader().Matches(log).Select(m => (long.Parse(m.Groups[1].Value), long.Parse(m.Groups[2].Value)))];

    /// <summary>The status codes of the answers GDAL got, in order.</summary>
    public static IReadOnlyList<int> Statuses(string log) =>
        [.. StatusLine().Matches(log).Where(m => m.Groups[1].Value != "100").Select(m => int.Parse(m.Groups[1].Value))];

    /// <summary>The requests GDAL sent (<c>GET /bucket/?delimiter=%2F…</c>), in order.</summary>
    public static IReadOnlyList<string> Requests(string log) =>
        [.. RequestLine().Matches(log).Select(m => m.Groups[1].Value)];

    [GeneratedRegex(@"^Range: bytes=(\d+)-(\d+)\r?$", RegexOptions.Multiline)]
    private static partial Regex RangeHeader();

    [GeneratedRegex(@"^< HTTP/1\.1 (\d{3})", RegexOptions.Multiline)]
    private static partial Regex StatusLine();

    [GeneratedRegex(@"^> ([A-Z]+ \S+) HTTP/1\.1\r?$", RegexOptions.Multiline)]
    private static partial Regex RequestLine();

    public void Dispose() => _process.Dispose();
}
