using S3Overlay.Storage.Errors;

namespace S3Overlay.Storage.S3;

/// <summary>
/// A store found down, held as down for <see cref="S3StoreOptions.OutageHold"/>: requests
/// meanwhile fail at once with the reason, instead of each waiting out a timeout (a silent
/// server) or adding to the load of a server that answers 503. The first request after the hold
/// tries the server again; any answer from it ends the outage.
/// </summary>
internal sealed class StoreOutage(S3StoreOptions store, TimeProvider clock)
{
    private sealed record Down(DateTimeOffset Since, StorageException Failure);

    private Down? _down;

    /// <summary>Throws what the store failed with, while it is held as down.</summary>
    public void ThrowIfHeld()
    {
        if (Volatile.Read(ref _down) is not { } down) return;
        var ago = clock.GetUtcNow() - down.Since;
        if (ago >= store.OutageHold) return;
        throw new StorageException(down.Failure.Fault,
            message: $"{down.Failure.Message} ({ago.TotalSeconds:0.0} s ago; it is tried again {store.OutageHold.TotalSeconds:0.#} s after that)")
        {
            UnreachableStore = store.Name,
        };
    }

    /// <summary>What a call to the store came to: a failure that says it is down starts (or renews) the hold; anything else ends it.</summary>
    public void Note(Exception? failure)
    {
        if (failure is StorageException { UnreachableStore: not null } down)
        {
            if (store.OutageHold > TimeSpan.Zero) Volatile.Write(ref _down, new Down(clock.GetUtcNow(), down));
        }
        else if (Volatile.Read(ref _down) is not null)
        {
            Volatile.Write(ref _down, null);
        }
    }
}
