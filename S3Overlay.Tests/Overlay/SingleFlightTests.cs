using S3Overlay.Overlay;
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
        var (fill, joined) = flight.JoinOrStart("chunk", (_, _) =>
        {
            // Another reader, between the fill's publication and its starter's return.
            var found = flight.TryJoin("chunk");
            Assert.NotNull(found);
            foundStartedBy = found.StartedBy;
            found.Leave();
        }, startedBy: read);

        Assert.False(joined);
        Assert.Same(read, foundStartedBy);
        Assert.Same(read, fill.StartedBy);
        fill.Leave();
        spill.Delete(recursive: true);
    }
}
