using Microsoft.Extensions.Logging.Abstractions;
using S3Overlay.Overlay;
using S3Overlay.Storage;
using S3Overlay.Telemetry;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Overlay.Fills;

namespace S3Overlay.Tests.Overlay;

[UnitTests]
public sealed class SingleFlightTests
{
    /// <summary>
    /// A chunked read's own read-ahead may be found by the read the moment the fill is published:
    /// the read must then see that the fill is its own, or it reports itself as a coalesced waiter
    /// (the flake of OverlaySpanTests' chunked trace: a third, coalesced chunk_fill span).
    /// </summary>
    [Fact]
    public void A_reader_that_finds_a_fill_as_it_is_published_knows_who_started_it()
    {
        // Its own folder: the fill is never started, so nothing releases its spill file.
        var spill = Directory.CreateTempSubdirectory("s3overlay-spill-");
        var flight = new SingleFlight<string>(() => SpillBuffer.NewPath(spill.FullName), new FillSlots(4), OverlayMetrics.Standalone());
        var read = new object();
        object? foundStartedBy = null;
        var (fill, joined) = flight.JoinOrStart("chunk", lookedAt: null, (_, _) =>
        {
            // Another reader, between the fill's publication and its starter's return.
            var found = flight.TryJoin("chunk");
            Assert.NotNull(found);
            foundStartedBy = found.StartedBy;
            found.Leave();
        }, startedBy: read)!.Value;

        Assert.False(joined);
        Assert.Same(read, foundStartedBy);
        Assert.Same(read, fill.StartedBy);
        fill.Leave();
        spill.Delete(recursive: true);
    }

    /// <summary>
    /// A reader looks for a fill of the key, then in the cache, and only then starts one. A whole
    /// fill can begin and end in between (a busy machine preempts the reader): it stored its bytes
    /// after the cache missed, so the start must not ask the remote again (the chunked crowd's
    /// last chunk fetched twice). The table's compare-and-swap that would register the new fill
    /// sees that fill's end, and nothing starts; a fill that ended before the look is no reason.
    /// </summary>
    [Fact]
    public async Task A_fill_that_ended_since_the_callers_look_is_not_started_again()
    {
        var spill = Directory.CreateTempSubdirectory("s3overlay-spill-");
        var flight = new SingleFlight<string>(() => SpillBuffer.NewPath(spill.FullName), new FillSlots(4), OverlayMetrics.Standalone());
        var work = new BackgroundWork(NullLogger<BackgroundWork>.Instance);
        var remoteReads = 0;
        void Start(RemoteFill fill, EarlyRemoteRead? _) => Assert.True(fill.Start(work,
            openRemote: _ =>
            {
                Interlocked.Increment(ref remoteReads);
                return Task.FromException<ObjectContent>(new IOException("the remote is not asked in this test"));
            },
            accept: _ => true, store: null, mapError: e => e, NullLogger.Instance, span: null));

        var before = SingleFlight<string>.Now();
        var (first, _) = flight.JoinOrStart("chunk", lookedAt: null, Start)!.Value;
        first.Leave();
        await first.Finished.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(flight.EndedSince("chunk", before));

        // Looked before that fill ended: nothing starts, the caller looks again.
        Assert.Null(flight.JoinOrStart("chunk", before, Start));
        Assert.Equal(1, remoteReads);
        Assert.Equal(0, flight.Count);

        // Looked after it ended (and missed): a new fill starts.
        var after = SingleFlight<string>.Now();
        Assert.False(flight.EndedSince("chunk", after));
        var (second, joined) = flight.JoinOrStart("chunk", after, Start)!.Value;
        Assert.False(joined);
        second.Leave();
        await second.Finished.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, remoteReads);
        await work.WhenIdle();
        spill.Delete(recursive: true);
    }
}
