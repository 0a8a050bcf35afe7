namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// An s3rver started on first use and kept for the rest of the test run (see
/// <see cref="Overlay.OverlayServers"/>): stopped, its folder removed, as the test process exits.
/// A start that failed is tried again by the next class rather than remembered.
/// </summary>
public sealed class SharedS3rver
{
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
