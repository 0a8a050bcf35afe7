using S3Overlay.Storage.Errors;

namespace S3Overlay.Storage.S3;

/// <summary>
/// A store found down, held as down for <see cref="S3StoreOptions.OutageHold"/>: requests
/// meanwhile fail at once with the reason, instead of each waiting out a timeout (a silent
/// server) or adding to the load of a server that answers 503. The first request after the hold
/// tries the server again; any answer from it ends the outage.
/// </summary>
/// <remarks>
/// A 500, 502 or 504 answer (<see cref="S3StoreOptions.ServerErrorsAreOutages"/>) fails its own
/// request, after the retry every call makes, but holds the store only when
/// <see cref="ServerErrorsInARow"/> calls in a row ended so: S3 servers answer a stray 500
/// InternalError now and then and ask for the request to be tried again, and a store that answers
/// the next request is not down. No answer at all, or a 503 (the server asks for less load), holds it at once.
/// </remarks>
internal sealed class StoreOutage(S3StoreOptions store, TimeProvider clock)
{
    /// <summary>Calls in a row that ended in a 500, 502 or 504 answer (each after its retry) before the store is held as down.</summary>
    public const int ServerErrorsInARow = 3;

    private sealed record Down(DateTimeOffset Since, StorageException Failure);

    private Down? _down;
    private int _serverErrors;

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

    /// <summary>
    /// What a call to the store came to: a failure that says it is down starts (or renews) the
    /// hold, a server error answer only as the last of <see cref="ServerErrorsInARow"/>; anything else ends it.
    /// </summary>
    /// <param name="answered">The status the server answered the failed call with; null when it gave none (no connection, no answer in time).</param>
    public void Note(Exception? failure, int? answered = null)
    {
        if (failure is StorageException { UnreachableStore: not null } down)
        {
            if (answered is 500 or 502 or 504 && Interlocked.Increment(ref _serverErrors) < ServerErrorsInARow) return;
            if (store.OutageHold > TimeSpan.Zero) Volatile.Write(ref _down, new Down(clock.GetUtcNow(), down));
            return;
        }
        if (Volatile.Read(ref _serverErrors) != 0) Volatile.Write(ref _serverErrors, 0);
        if (Volatile.Read(ref _down) is not null) Volatile.Write(ref _down, null);
    }
}
