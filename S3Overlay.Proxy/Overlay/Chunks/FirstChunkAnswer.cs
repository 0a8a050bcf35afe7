using S3Overlay.Storage;
using S3Overlay.Storage.S3;

namespace S3Overlay.Overlay;

/// <summary>
/// The remote's open answer to a whole GET of an object that turned out to be chunked, handed to
/// the chunked read of it: its first bytes ARE chunk 0 of the generation it describes (the chunk
/// threshold is never below the chunk size), so chunk 0 is filled from it instead of from a second
/// remote request. The read owns it until chunk 0's fill takes it; what is not taken (the read
/// needs no chunk 0, finds it cached or in flight, or fails) is disposed as the read opens, so
/// the connection does not linger.
/// </summary>
internal sealed class FirstChunkAnswer(ObjectContent? whole) : IDisposable
{
    private ObjectContent? _whole = whole;

    /// <summary>The answer cut to chunk 0, as chunk 0's own ranged GET would have answered; null when there is none (any more).</summary>
    public ObjectContent? TakeChunkZero(ChunkLayout layout)
    {
        if (Interlocked.Exchange(ref _whole, null) is not { } whole) return null;
        var length = layout.LengthOf(0);
        return new ObjectContent(whole.Info, new RangeWindowStream(whole.Body, skip: 0, length), new ResolvedRange(0, length, whole.Info.Size));
    }

    public void Dispose() => Interlocked.Exchange(ref _whole, null)?.Body.Dispose();
}
