using S3Overlay.Storage;

namespace S3Overlay.Overlay.Fills;

/// <summary>What a whole read of the remote came to (<see cref="WholeObjectFills.FillAsync"/>): one of three cases.</summary>
internal abstract record WholeRead
{
    private WholeRead()
    {
    }

    /// <summary>Served whole: the fill's body, the local copy a fill stored meanwhile, or the remote's answer streamed through.</summary>
    public sealed record Served(ObjectContent Content) : WholeRead;

    /// <summary>
    /// The object is chunked, and this reader took the whole answer its fill declined: it owns
    /// <paramref name="Answer"/>, starts chunk 0 with it, then disposes it (which lets the fill's
    /// other readers go on).
    /// </summary>
    public sealed record ChunkedWithAnswer(DeclinedAnswer Answer) : WholeRead;

    /// <summary>
    /// The object is chunked, as <paramref name="Remote"/> describes it, and another reader took
    /// the answer: read it in chunks once <paramref name="TakerStarted"/> completes, when that
    /// reader has started chunk 0 (or given the answer up).
    /// </summary>
    public sealed record ChunkedAfterTaker(ObjectInfo Remote, Task TakerStarted) : WholeRead;
}
