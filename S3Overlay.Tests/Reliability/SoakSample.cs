namespace S3Overlay.Tests.Reliability;

/// <summary>
/// One minute of a soak. <see cref="HeapMiB"/> is the managed heap as the last collection left it
/// (mostly a gen 0 one: gen 2's dead objects and free space included); <see cref="LiveMiB"/> is
/// what a full compacting collection left alive, taken only at the checkpoints
/// (<see cref="SoakSampler.IsCheckpoint"/>), null elsewhere; <see cref="PauseMs"/> is the longest
/// pause those collections cost the proxy.
/// </summary>
public sealed record SoakSample(int Minute, double RssMiB, double HeapMiB, double? LiveMiB, double? PauseMs, double CommittedMiB, long Gen2Collections, int Fds, int Threads, int TempFiles, double P50Ms, double P99Ms, double OpsPerSecond);
