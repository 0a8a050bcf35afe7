namespace S3Overlay.Storage;

/// <summary>
/// What of a write must survive a power cut (<see cref="ObjectWrite.Durability"/>). The embedded
/// store acts on it; an S3 local store's server decides for itself.
/// </summary>
internal enum Durability
{
    /// <summary>On disk once answered: everything a client writes.</summary>
    Flushed,

    /// <summary>
    /// Left to the operating system to flush: what can be fetched again (the overlay's fills).
    /// The store keeps, flushed, what it needs to tell a body a power cut tore: such a body is
    /// never served torn (the embedded store checks it when next read, <c>Unflushed</c>).
    /// </summary>
    Unflushed,

    /// <summary>
    /// Nothing flushed, not even that mark: only for a small record whose reader recognises one a
    /// power cut tore or lost and does without it (a fill record: its JSON no longer parses, and
    /// a record lost costs a remote request). Two disk flushes fewer per fill than
    /// <see cref="Unflushed"/>.
    /// </summary>
    Unchecked,
}
