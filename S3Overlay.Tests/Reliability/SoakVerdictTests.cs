using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Reliability;

/// <summary>The soak's judgement on made-up hours: a leak fails it, the gen 2 high-water mark and a warm-up spike do not move it.</summary>
[UnitTests]
public sealed class SoakVerdictTests
{
    private const int Hour = 60;

    /// <summary>An hour of samples: the live count at the checkpoints only, the other figures as given.</summary>
    private static List<SoakSample> Hour_of(Func<int, double> live, Func<int, double>? heap = null, Func<int, double>? rss = null) =>
        Enumerable.Range(1, Hour).Select(m => new SoakSample(m, rss?.Invoke(m) ?? 340, heap?.Invoke(m) ?? 80,
            SoakSampler.IsCheckpoint(m, Hour) ? live(m) : null, SoakSampler.IsCheckpoint(m, Hour) ? 30 : null,
            190, m / 5, 850, 30, 1, 400, 4000, 350)).ToList();

    [Fact]
    public void Live_bytes_that_stay_level_pass()
    {
        Assert.Null(SoakVerdict.Climb(Hour_of(m => 67 + m % 3)));
    }

    [Fact]
    public void Live_bytes_that_grow_a_little_every_minute_fail()
    {
        // 0.3 MiB a minute: 67 at minute 3, 84 at minute 59, over 67 × 1.1 + 8 = 81.7.
        var climb = SoakVerdict.Climb(Hour_of(m => 66 + 0.3 * m));
        Assert.NotNull(climb);
        Assert.Contains("alive after a full collection climbed from 66.9 MiB at minute 3 to 83.7 at minute 59", climb);
    }

    [Fact]
    public void A_managed_heap_that_climbs_to_gen_2s_high_water_mark_while_live_bytes_stay_level_passes()
    {
        Assert.Null(SoakVerdict.Climb(Hour_of(m => 68, heap: m => Math.Min(72 + m, 110))));
    }

    [Fact]
    public void A_warm_up_spike_does_not_raise_the_bound()
    {
        // Minute 2 caught gen 1 before its collection (216 MiB in the managed heap, RSS 458): judged
        // from the warm-up's highest sample, 85 alive at the end would pass.
        var climb = SoakVerdict.Climb(Hour_of(m => m < 59 ? 67 : 85, heap: m => m == 2 ? 216 : 80, rss: m => m == 2 ? 458 : 340));
        Assert.NotNull(climb);
        Assert.Contains("from 67.0 MiB at minute 3 to 85.0 at minute 59 (bound 81.7)", climb);
    }

    [Fact]
    public void Resident_memory_that_climbs_fails_even_with_live_bytes_level()
    {
        var climb = SoakVerdict.Climb(Hour_of(m => 68, rss: m => 330 + 3 * m));
        Assert.NotNull(climb);
        Assert.StartsWith("resident memory climbed from 339 MiB at minute 3", climb);
    }

    [Fact]
    public void A_soak_with_no_live_count_fails()
    {
        var samples = Hour_of(m => 68).Select(s => s with { LiveMiB = null, PauseMs = null }).ToList();
        Assert.Contains("the heap probe did not answer", SoakVerdict.Climb(samples));
    }

    [Theory]
    [InlineData(60, new[] { 3, 10, 20, 30, 40, 50, 59 })]
    [InlineData(20, new[] { 3, 10, 19 })]
    public void The_checkpoints_are_after_the_warm_up_every_tenth_minute_and_the_last_under_load(int minutes, int[] expected)
    {
        Assert.Equal(expected, Enumerable.Range(1, minutes).Where(m => SoakSampler.IsCheckpoint(m, minutes)));
    }
}
