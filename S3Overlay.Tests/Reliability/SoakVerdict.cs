namespace S3Overlay.Tests.Reliability;

/// <summary>
/// Whether a soak's memory, descriptors, threads and temp files stayed flat after the warm-up (the
/// first two samples: the JIT, the pools, the cache filling to its cap).
/// </summary>
public static class SoakVerdict
{
    /// <summary>
    /// How much more may be alive at the end than at the first checkpoint, with no leak: the shared
    /// array pool and the runtime's own caches fill on demand up to caps of their own (a count by
    /// type found 8-12 MiB of idle pool arrays under this load), and what 256 clients have in
    /// flight differs from one instant to the next (the least of three collections takes most of
    /// that out). A leak of a few bytes an operation grows past it: an hour is 1.2-1.7 million of them.
    /// </summary>
    public static double LiveBound(double baselineMiB) => baselineMiB * 1.10 + 8;

    /// <summary>Null when the soak stayed flat, else what climbed and by how much.</summary>
    /// <remarks>
    /// Memory is judged on what is alive, counted after a full compacting collection: the managed
    /// heap an ordinary collection reports keeps what gen 2 promoted and has since dropped until a
    /// background gen 2 collection frees it, and that one does not compact, so the figure climbs
    /// to the load's high-water mark and stays there (reported, not judged). The baseline is the
    /// first checkpoint, after the warm-up: a full collection cannot be inflated by a gen 1 not
    /// yet collected, which a warm-up minute's ordinary figure was (216 MiB against 67 alive).
    /// Resident memory is judged from that same minute for the same reason. The other figures are
    /// judged where they settle, the median of the last fifth of the samples (at least three): a
    /// leak grows and stays, while a single sample also counts what 256 clients held open at that
    /// instant (over Ceph RGW for an hour the descriptors read 866-895 in every minute but two, 919
    /// and 913, and 870 the minute after). Latency is reported, not judged: on a machine shared with
    /// other work it moves with the load.
    /// </remarks>
    public static string? Climb(IReadOnlyList<SoakSample> samples)
    {
        if (samples.Count < 4) return null;
        var checkpoints = samples.Where(s => s.LiveMiB is not null).ToList();
        if (checkpoints.Count < 2) return $"only {checkpoints.Count} live heap count(s) in {samples.Count} samples: the heap probe did not answer";
        var (first, last) = (checkpoints[0], checkpoints[^1]);
        if (last.LiveMiB > LiveBound(first.LiveMiB!.Value))
            return $"the bytes alive after a full collection climbed from {first.LiveMiB:0.0} MiB at minute {first.Minute} to {last.LiveMiB:0.0} at minute {last.Minute} (bound {LiveBound(first.LiveMiB.Value):0.0})";
        var warm = samples.Skip(1).Take(2).ToList();
        var rest = samples.Skip(3).ToList();
        var tail = rest.Skip(rest.Count - Math.Max(3, rest.Count / 5)).ToList();
        double Settled(Func<SoakSample, double> figure) => tail.Select(figure).Order().ElementAt(tail.Count / 2);
        if (Settled(s => s.RssMiB) is var r && r > first.RssMiB * 1.25 + 32) return $"resident memory climbed from {first.RssMiB:0} MiB at minute {first.Minute} to {r:0}";
        var fds = warm.Max(s => s.Fds);
        if (Settled(s => s.Fds) is var f && f > fds + 32) return $"file descriptors climbed from {fds} to {f}";
        var threads = warm.Max(s => s.Threads);
        if (Settled(s => s.Threads) is var t && t > threads + 16) return $"threads climbed from {threads} to {t}";
        var temp = warm.Max(s => s.TempFiles);
        if (Settled(s => s.TempFiles) is var tf && tf > Math.Max(64, temp * 2)) return $"temp and spill files climbed from {temp} to {tf}";
        return null;
    }

    /// <summary>The memory figures a report gives beside the verdict: live first and last, its bound, RSS first and last, the forced collections' longest pause.</summary>
    public static string Memory(IReadOnlyList<SoakSample> samples)
    {
        var checkpoints = samples.Where(s => s.LiveMiB is not null).ToList();
        if (checkpoints.Count == 0 || samples.Count == 0) return "no live heap count";
        var (first, last) = (checkpoints[0], checkpoints[^1]);
        return $"alive after a full collection {first.LiveMiB:0.0} MiB at minute {first.Minute}, {last.LiveMiB:0.0} at minute {last.Minute} (bound {LiveBound(first.LiveMiB!.Value):0.0}), " +
            $"RSS {first.RssMiB:0} → {samples[^1].RssMiB:0} MiB, those collections paused the proxy {checkpoints.Max(s => s.PauseMs):0} ms at most";
    }
}
