namespace S3Overlay.Overlay.Fleet;

/// <summary>
/// Rendezvous (highest-random-weight) hashing: each key is owned by the candidate whose hash of
/// (candidate, key) is highest. Every replica computes the same owner from the same list, and a
/// replica that leaves moves only the keys it owned, each to the candidate that scored next.
/// </summary>
internal static class Rendezvous
{
    /// <summary>The owner of <paramref name="key"/> among <paramref name="candidates"/> (not empty), each scored with its <paramref name="seedOf"/>.</summary>
    public static T Owner<T>(IReadOnlyList<T> candidates, string key, Func<T, ulong> seedOf)
    {
        var keyHash = Hash(key);
        var best = candidates[0];
        var bestScore = Score(seedOf(best), keyHash);
        for (var i = 1; i < candidates.Count; i++)
        {
            var score = Score(seedOf(candidates[i]), keyHash);
            if (score > bestScore) (best, bestScore) = (candidates[i], score);
        }
        return best;
    }

    private static ulong Score(ulong seed, ulong keyHash) => Mix(seed ^ keyHash);

    /// <summary>FNV-1a over the string's UTF-16 code units: stable across processes and runs (string.GetHashCode is not).</summary>
    public static ulong Hash(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ (byte)c) * 1099511628211UL;
            hash = (hash ^ (byte)(c >> 8)) * 1099511628211UL;
        }
        return Mix(hash);
    }

    // SplitMix64's finalizer: FNV alone leaves similar keys with similar high bits.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
        return z ^ (z >> 31);
    }
}
