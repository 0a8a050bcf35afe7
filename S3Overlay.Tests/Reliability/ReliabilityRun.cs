using S3Overlay.Tests.Infrastructure;
namespace S3Overlay.Tests.Reliability;

/// <summary>
/// How big a reliability run is: the fast slice by default (./test.sh), the full run when
/// reliability/run.sh sets RELIABILITY_FULL=1. Runs are seeded (RELIABILITY_SEED, else a fixed
/// seed in the slice and a fresh one in full runs) and print the seed on failure. Each run
/// appends its figures to RELIABILITY_RESULTS, which run.sh turns into the table of reliability/README.md.
/// </summary>
public static class ReliabilityRun
{
    public static bool Full => Environment.GetEnvironmentVariable("RELIABILITY_FULL") == "1";

    public static int Seed(int sliceSeed) =>
        int.TryParse(Environment.GetEnvironmentVariable("RELIABILITY_SEED"), out var seed) ? seed
        : Full ? Random.Shared.Next() : sliceSeed;

    /// <summary>Minutes of the load run when reliability/run.sh --soak asks for a soak (RELIABILITY_SOAK_MINUTES); 0 otherwise.</summary>
    public static int SoakMinutes => int.TryParse(Environment.GetEnvironmentVariable("RELIABILITY_SOAK_MINUTES"), out var m) && m > 0 ? m : 0;

    /// <summary>The load run's local store: the embedded store, or Ceph RGW when reliability/run.sh --soak asks for it (RELIABILITY_SOAK_LOCAL=rgw).</summary>
    public static LocalStoreKind LoadLocalStore =>
        Environment.GetEnvironmentVariable("RELIABILITY_SOAK_LOCAL") == "rgw" ? LocalStoreKind.Rgw : LocalStoreKind.Embedded;

    /// <summary>The slice's figure, or the full run's.</summary>
    public static T Scale<T>(T slice, T full) => Full ? full : slice;

    /// <summary>Adds one row to the results file (run.sh writes it into reliability/README.md): what was done, and how much of it was lost.</summary>
    public static void Report(string run, string done, string lost)
    {
        var path = Environment.GetEnvironmentVariable("RELIABILITY_RESULTS");
        if (string.IsNullOrEmpty(path)) return;
        lock (typeof(ReliabilityRun)) File.AppendAllText(path, $"| {run} | {done} | {lost} |\n");
    }

    /// <summary>A raw line for run.sh to add up (runs made of many test cases): <c>tally run case done lost</c>.</summary>
    public static void Tally(string run, string name, int done, int lost)
    {
        var path = Environment.GetEnvironmentVariable("RELIABILITY_RESULTS");
        if (string.IsNullOrEmpty(path)) return;
        lock (typeof(ReliabilityRun)) File.AppendAllText(path, $"tally {run} {name} {done} {lost}\n");
    }
}
