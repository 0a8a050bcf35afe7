using S3Overlay.Storage;

namespace S3Overlay.Overlay.Fills;

/// <summary>
/// The remote's open answer to a whole GET that its fill declined (the object is chunked), with
/// one owner at a time: the fill until a reader takes it (<see cref="RemoteFill.TakeDeclined"/>),
/// then that reader. Its first bytes are chunk 0 of the generation, so the fill's other readers
/// wait (<see cref="RemoteFill.DeclinedSettled"/>) until its owner is done with it: disposing it
/// settles that. Its open content leaves it only by <see cref="Take"/> (whoever takes it disposes
/// it from then on); whatever is not taken goes as it is disposed, so no connection stays open
/// until the remote's idle timeout ends it.
/// </summary>
internal sealed class DeclinedAnswer(ObjectContent content, Action settle) : IAsyncDisposable, IDisposable
{
    private ObjectContent? _content = content;

    /// <summary>The remote's description of the object, as the answer gave it.</summary>
    public ObjectInfo Info { get; } = content.Info;

    /// <summary>The open content, for its new owner to read and dispose.</summary>
    public ObjectContent Take() => Interlocked.Exchange(ref _content, null) ?? throw new InvalidOperationException("The declined answer was taken or let go already.");

    public void Dispose()
    {
        Interlocked.Exchange(ref _content, null)?.Body.Dispose();
        settle();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _content, null) is { } untaken) await untaken.DisposeAsync();
        settle();
    }
}
