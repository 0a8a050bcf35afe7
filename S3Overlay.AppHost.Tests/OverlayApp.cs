using System.Diagnostics;
using Amazon.Runtime;
using Amazon.S3;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using S3Overlay.AppHost.Seeding;

namespace S3Overlay.AppHost.Tests;

/// <summary>
/// The whole AppHost, started once for every test of <see cref="OverlayAppTests"/> with
/// Aspire.Hosting.Testing: the stores as <c>s3overlay serve</c> processes (the remote seeded), the
/// proxy, and the dashboard, waited on until the proxy is healthy.
/// </summary>
public class OverlayApp : IAsyncLifetime
{
    /// <summary>
    /// The test classes that start the whole app, one at a time: every app binds the proxy to the
    /// same port (S3Overlay:ProxyPort, 8000) and its process tree is told by this test process's id.
    /// </summary>
    public const string Collection = "The whole AppHost";

    /// <summary>The AppHost's S3Overlay:Stores for this run.</summary>
    protected virtual string Stores => "processes";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    /// <summary>How long the orchestrator has to stop of itself once the app's stop returned (it takes about 2 s).</summary>
    private static readonly TimeSpan OrchestratorGrace = TimeSpan.FromSeconds(10);

    private DistributedApplication? _app;
    private RunningProcess? _orchestrator;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("not started");

    /// <summary>An S3 client of the proxy, signing with the proxy's own credentials (AppHost parameters).</summary>
    public AmazonS3Client Proxy { get; private set; } = null!;

    /// <summary>The dashboard's telemetry API.</summary>
    public DashboardSpans Spans { get; private set; } = null!;

    public Uri DashboardLogin { get; private set; } = null!;

    /// <summary>What the orchestrator client logged, Debug included: why a stop left processes running.</summary>
    public OrchestratorLog OrchestratorLog { get; } = new();

    /// <summary>Set when the stop had to end the orchestrator itself (<see cref="StopAsync"/>): when, and why.</summary>
    public string? OrchestratorEnded { get; private set; }

    public virtual async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.S3Overlay_AppHost>(
            new DistributedApplicationTestingBuilderOptions { EnableDashboard = true }, [$"--S3Overlay:Stores={Stores}"], timeout.Token);
        var apiKey = builder.Configuration["AppHost:DashboardApiKey"];
        // Its own filter: the AppHost's appsettings.json keeps Aspire.Hosting.Dcp at Warning for everyone else.
        builder.Services.AddLogging(logging => logging.AddProvider(OrchestratorLog).AddFilter<OrchestratorLog>(OrchestratorLog.Category, LogLevel.Debug));
        _app = await builder.BuildAsync(timeout.Token);
        var before = Orchestrators().ToList();
        await _app.StartAsync(timeout.Token);
        _orchestrator = Orchestrators().Single(p => !before.Contains(p));
        // Healthy means both stores are healthy, the remote is seeded (WaitFor waits for that) and the proxy answers its health path.
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("proxy", timeout.Token);

        Proxy = S3Client(_app.GetEndpoint("proxy", "http"), await ParameterAsync("proxy-access-key", timeout.Token), await ParameterAsync("proxy-secret-key", timeout.Token));
        DashboardLogin = await _app.GetDashboardUrlAsync(timeout.Token);
        var dashboard = new HttpClient { BaseAddress = new Uri(DashboardLogin.GetLeftPart(UriPartial.Authority) + "/") };
        if (!string.IsNullOrEmpty(apiKey)) dashboard.DefaultRequestHeaders.Add("x-api-key", apiKey);
        Spans = new DashboardSpans(dashboard);
    }

    /// <summary>A client straight to one of the stores ("minio" or "remote") through its own endpoint, bypassing the proxy.</summary>
    public async Task<AmazonS3Client> StoreAsync(string resource, CancellationToken cancellationToken) =>
        DemoObjects.CreateClient(await App.GetConnectionStringAsync(resource, cancellationToken)
            ?? throw new InvalidOperationException($"{resource} has no connection string"));

    /// <summary>
    /// Every process the run consists of: the orchestrator (DCP, which Aspire starts detached and told
    /// to watch this process) and everything below it, the stores, the proxy and the dashboard.
    /// </summary>
    public IReadOnlyList<RunningProcess> ProcessTree() => RunningProcess.WithDescendants([.. Orchestrators()]);

    private static IEnumerable<RunningProcess> Orchestrators() => RunningProcess.All().Where(p => p.CommandLine.Contains("dcp")
        && p.CommandLine.Contains("start-apiserver") && p.CommandLine.Contains($"--monitor {Environment.ProcessId} "));

    private async Task<string> ParameterAsync(string name, CancellationToken cancellationToken)
    {
        var model = App.Services.GetRequiredService<DistributedApplicationModel>();
        IValueProvider parameter = model.Resources.OfType<ParameterResource>().Single(p => p.Name == name);
        return await parameter.GetValueAsync(cancellationToken) ?? throw new InvalidOperationException($"parameter {name} has no value");
    }

    private static AmazonS3Client S3Client(Uri url, string accessKey, string secretKey) => new(
        new BasicAWSCredentials(accessKey, secretKey),
        new AmazonS3Config { ServiceURL = url.ToString().TrimEnd('/'), ForcePathStyle = true, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

    /// <summary>Stops the app (the teardown test does it first, to see what is left), and then the orchestrator if it is left running.</summary>
    /// <remarks>
    /// The app's stop asks the orchestrator (DCP) to clean up and stop, but gives that up silently
    /// when its own watchers of the orchestrator have not ended within the host's shutdown timeout
    /// (DcpExecutor.StopAsync, Aspire.Hosting 13.6.5: it calls the request "just a perf
    /// optimization"). Seen once in a fresh-clone run: the stop took 30 s, every process of the
    /// app went, and the orchestrator's own two stayed, waiting for the AppHost's process to exit
    /// (DCP's <c>--monitor</c>), which here is this test process. So it is ended as that exit ends
    /// it, by SIGTERM (on which it cleans up too), once it has had its grace to stop of itself.
    /// </remarks>
    public async Task StopAsync()
    {
        Proxy?.Dispose();
        if (_app is null) return;
        await _app.DisposeAsync();
        _app = null;
        var returned = DateTime.UtcNow;
        while (_orchestrator is { IsAlive: true } && DateTime.UtcNow - returned < OrchestratorGrace) await Task.Delay(100);
        if (_orchestrator is { IsAlive: true } left)
        {
            OrchestratorEnded = $"the orchestrator ({left.Id}) still ran {OrchestratorGrace.TotalSeconds:0} s after the app's stop returned: ended by SIGTERM";
            kill(left.Id, SIGTERM);
        }
    }

    private const int SIGTERM = 15;

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    public async ValueTask DisposeAsync() => await StopAsync();
}

/// <summary>A process as /proc shows it; its start time tells it from a later process given the same id.</summary>
public sealed record RunningProcess(int Id, int ParentId, long StartTicks, string CommandLine)
{
    public static IEnumerable<RunningProcess> All()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
            if (int.TryParse(Path.GetFileName(dir), out var id) && Read(id) is { } process)
                yield return process;
    }

    public static RunningProcess? Read(int id)
    {
        try
        {
            // /proc/PID/stat: "pid (comm) state ppid ... starttime(22nd)"; comm may hold spaces, so split after its ')'.
            var stat = File.ReadAllText($"/proc/{id}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields[0] == "Z") return null; // a zombie has exited: only its parent's wait is left
            var commandLine = File.ReadAllText($"/proc/{id}/cmdline").Replace('\0', ' ');
            return new(id, int.Parse(fields[1]), long.Parse(fields[19]), commandLine);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // gone meanwhile
        }
    }

    public bool IsAlive => Read(Id) is { } now && now.StartTicks == StartTicks;

    public static IReadOnlyList<RunningProcess> WithDescendants(IReadOnlyList<RunningProcess> roots)
    {
        var all = All().ToList();
        List<RunningProcess> found = [.. roots];
        for (var i = 0; i < found.Count; i++)
            found.AddRange(all.Where(p => p.ParentId == found[i].Id));
        return found;
    }

    public override string ToString() => $"{Id} {CommandLine}";
}
