using S3Overlay.Overlay.Remote;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Overlay;

/// <summary>The remote's "not found" answers, remembered by key for the TTL and the stale-if-error window.</summary>
[UnitTests]
public sealed class NegativeLookupCacheTests
{
    private readonly ManualClock _clock = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));

    [Fact]
    public void A_missing_key_is_known_missing_for_the_ttl_and_no_other_key_is()
    {
        var cache = new NegativeLookupCache(TimeSpan.FromSeconds(10), _clock);
        cache.RememberMissing("remote", "dir/missing.tif");
        Assert.True(cache.IsKnownMissing("remote", "dir/missing.tif"));
        Assert.False(cache.IsKnownMissing("remote", "dir/missing.tif.aux.xml"));
        Assert.False(cache.IsKnownMissing("remote", "dir/Missing.tif"));
        Assert.False(cache.IsKnownMissing("other", "dir/missing.tif"));
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.False(cache.IsKnownMissing("remote", "dir/missing.tif"));
    }

    [Fact]
    public void A_key_forgotten_is_asked_again()
    {
        var cache = new NegativeLookupCache(TimeSpan.FromSeconds(10), _clock);
        cache.RememberMissing("remote", "k");
        cache.Forget("remote", "k");
        Assert.False(cache.IsKnownMissing("remote", "k"));
    }

    [Fact]
    public void While_the_remote_fails_a_key_missing_lately_is_still_missing_for_the_stale_window()
    {
        var cache = new NegativeLookupCache(TimeSpan.FromSeconds(1), _clock, staleIfError: TimeSpan.FromSeconds(60));
        cache.RememberMissing("remote", "k");
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.False(cache.IsKnownMissing("remote", "k"));
        Assert.True(cache.WasMissingLately("remote", "k"));
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.False(cache.WasMissingLately("remote", "k"));
    }

    [Fact]
    public void At_its_capacity_it_makes_room_only_from_answers_past_their_window()
    {
        var cache = new NegativeLookupCache(TimeSpan.FromSeconds(10), _clock, capacity: 2);
        cache.RememberMissing("remote", "a");
        cache.RememberMissing("remote", "b");
        cache.RememberMissing("remote", "c"); // full, and nothing is old enough to go
        Assert.False(cache.IsKnownMissing("remote", "c"));
        _clock.Advance(TimeSpan.FromSeconds(10));
        cache.RememberMissing("remote", "c");
        Assert.True(cache.IsKnownMissing("remote", "c"));
        Assert.False(cache.IsKnownMissing("remote", "a"));
    }
}
