namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// An s3rver started on first use and kept for the rest of the test run: stopped, its folder
/// removed, as the test process exits. A start that failed is tried again by the next class
/// rather than remembered. Each start of node and s3rver costs about 2 s of CPU, and a run of the
/// suite started 71 of them (one or two per class); every test uses buckets of its own (random
/// names, cache buckets too), so what one test writes is never another's.
/// </summary>
public sealed class SharedS3rver
{
    /// <summary>The s3rver the overlays of the tests read through to.</summary>
    public static readonly SharedS3rver Remote = new();

    /// <summary>The s3rver the tests' proxies over an S3 local store keep their data in.</summary>
    public static readonly SharedS3rver Local = new();

    private readonly SemaphoreSlim _starting = new(1, 1);
    private S3rverProcess? _process;

    public async Task<S3rverProcess> GetAsync()
    {
        if (Volatile.Read(ref _process) is { } started) return started;
        await _starting.WaitAsync();
        try
        {
            if (_process is null)
            {
                _process = await S3rverProcess.StartAsync();
                var process = _process;
                AppDomain.CurrentDomain.ProcessExit += (_, _) => process.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5));
            }
            return _process;
        }
        finally
        {
            _starting.Release();
        }
    }
}
