namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// Test classes that keep both cores busy for seconds run alone, after the parallel ones. Beside
/// them the servers of every other test in this process (proxies, relays, the SDK's clients) wait
/// seconds for a thread: a remote fault test's read after the heal timed out at its 3 s remote
/// timeout while 60 cold readers of 8 MiB each ran beside it (1 run of 8 of a chunk-heavy slice
/// with one busy loop beside it, 27 Nov: both its worlds' timeouts fired 1.8 s late, together,
/// as the readers finished).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "runs alone";
}
