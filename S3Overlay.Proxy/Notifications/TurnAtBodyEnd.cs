using S3Overlay.Streams;

namespace S3Overlay.Notifications;

/// <summary>
/// A write's body that takes the key's turn (the notifying layer's lock of the key) once it has
/// been read to its end. A store reads a body whole before it commits it (the seam's contract for
/// <see cref="Storage.IObjectStore.PutObjectAsync"/>), so the turn is taken between the upload and
/// the commit: racing writers of one key upload side by side, and commit and keep their events one
/// at a time, in the order their bodies ended.
/// </summary>
/// <param name="takeTurn">Waits for the key's lock; called once, at the first read that finds the end.</param>
internal sealed class TurnAtBodyEnd(Stream body, Func<Task<IDisposable>> takeTurn) : PayloadStream
{
    /// <summary>The turn, once the body was read to its end; null before.</summary>
    public Task<IDisposable>? Turn { get; private set; }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await body.ReadAsync(buffer, cancellationToken);
        if (read == 0 && buffer.Length > 0) await (Turn ??= takeTurn());
        return read;
    }
}
