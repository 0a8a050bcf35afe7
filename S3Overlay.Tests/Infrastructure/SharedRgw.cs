namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// The test run's one RGW cluster (<see cref="RgwCluster"/>), started on first use (2-5 s, ~140 MiB)
/// and stopped as the test process exits; every test uses buckets of its own. Where RGW cannot
/// run (its packages missing, a start that failed twice) each test that needs it is skipped,
/// visibly, with the reason: a failed start is remembered, not tried again by every class.
/// </summary>
public static class SharedRgw
{
    private static readonly SemaphoreSlim Starting = new(1, 1);
    private static RgwCluster? _cluster;
    private static string? _unavailable;

    /// <summary>The run's cluster; skips the calling test when RGW cannot run here.</summary>
    public static async Task<RgwCluster> GetAsync()
    {
        var (cluster, unavailable) = await TryGetAsync();
        if (cluster is null) Assert.Skip(unavailable!);
        return cluster;
    }

    /// <summary>
    /// The user a proxy with <paramref name="settings"/> keeps its data as, over the run's cluster:
    /// the shared tenant's, or, for a proxy that scans lifecycle rules, a tenant of its own
    /// (<see cref="RgwCluster.CreateTenantUserAsync"/>); skips the calling test when RGW cannot run here.
    /// </summary>
    public static async Task<S3User> LocalUserAsync(IEnumerable<KeyValuePair<string, string?>>? settings)
    {
        var cluster = await GetAsync();
        return settings?.Any(s => s.Key == "S3_OVERLAY_LIFECYCLE_INTERVAL") == true ? await cluster.CreateTenantUserAsync() : cluster.Tenant;
    }

    /// <summary>The run's cluster, or why RGW cannot run here (for a class fixture, which cannot skip its tests itself).</summary>
    public static async Task<(RgwCluster? Cluster, string? Unavailable)> TryGetAsync()
    {
        if (Volatile.Read(ref _cluster) is { } started) return (started, null);
        await Starting.WaitAsync();
        try
        {
            if (_cluster is null && _unavailable is null)
            {
                _unavailable = RgwCluster.Unavailable();
                if (_unavailable is null) _cluster = await StartAsync();
            }
            return (_cluster, _cluster is null ? $"RGW: {_unavailable}" : null);
        }
        finally
        {
            Starting.Release();
        }
    }

    private static async Task<RgwCluster?> StartAsync()
    {
        var failures = new List<string>();
        // Twice: a port picked free can be taken by another process before the monitor binds it.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                var cluster = await RgwCluster.StartAsync();
                AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(10));
                return cluster;
            }
            catch (InvalidOperationException e)
            {
                failures.Add(e.Message);
            }
        }
        _unavailable = "the cluster did not start: " + string.Join(" | ", failures);
        return null;
    }
}
