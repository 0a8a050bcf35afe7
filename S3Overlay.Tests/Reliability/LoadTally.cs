namespace S3Overlay.Tests.Reliability;

/// <summary>What the load's checks of the newer features saw, for its report: proof the load exercised them.</summary>
public sealed class LoadTally
{
    private long _sealedReads, _versionReads, _noncurrentExpired, _expired;

    /// <summary>Reads of an SSE-S3 or SSE-C object whose bytes were checked.</summary>
    public long SealedReads => Interlocked.Read(ref _sealedReads);

    /// <summary>Versions read by id whose bytes were checked.</summary>
    public long VersionReads => Interlocked.Read(ref _versionReads);

    /// <summary>Noncurrent versions found gone after their lifecycle day.</summary>
    public long NoncurrentExpired => Interlocked.Read(ref _noncurrentExpired);

    /// <summary>Objects found gone after their lifecycle day.</summary>
    public long Expired => Interlocked.Read(ref _expired);

    /// <summary>Whether the load has read sealed objects and versions by id and seen both kinds of expiry.</summary>
    public bool EveryKind => SealedReads > 0 && VersionReads > 0 && Expired > 0 && NoncurrentExpired > 0;

    public void SealedRead() => Interlocked.Increment(ref _sealedReads);

    public void VersionRead() => Interlocked.Increment(ref _versionReads);

    public void NoncurrentExpiredOne() => Interlocked.Increment(ref _noncurrentExpired);

    public void ExpiredOne() => Interlocked.Increment(ref _expired);

    public void Reset() => _sealedReads = _versionReads = _noncurrentExpired = _expired = 0;
}
