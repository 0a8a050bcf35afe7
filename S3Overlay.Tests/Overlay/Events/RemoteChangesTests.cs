using S3Overlay.Overlay.Events;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Overlay.Events;

/// <summary>How events of one key are ordered, and which generations a fill may still keep.</summary>
[UnitTests]
public sealed class RemoteChangesTests
{
    private static RemoteEvent Put(string etag, string? sequencer) => new("remote", "k", false, etag, sequencer, "ObjectCreated:Put", null);
    private static RemoteEvent Delete(string? sequencer) => new("remote", "k", true, null, sequencer, "ObjectRemoved:Delete", null);

    [Fact]
    public void A_duplicate_and_an_older_event_are_not_taken_a_newer_one_is()
    {
        var changes = new RemoteChanges(new ManualClock(DateTimeOffset.UnixEpoch));
        Assert.True(changes.TryTake(Put("b", "0055AED6DCD90281E6")));
        Assert.False(changes.TryTake(Put("b", "0055AED6DCD90281E6")));
        Assert.False(changes.TryTake(Delete("0055AED6DCD90281E5")));
        Assert.True(changes.TryTake(Delete("0055AED6DCD90281E7")));
        // Another key has an order of its own.
        Assert.True(changes.TryTake(new RemoteEvent("remote", "other", false, "x", "0001", "ObjectCreated:Put", null)));
    }

    [Fact]
    public void A_fill_of_any_generation_but_the_announced_one_is_superseded_until_the_event_is_forgotten()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var changes = new RemoteChanges(clock);
        Assert.False(changes.Superseded("remote", "k", "\"a\""));
        changes.TryTake(Put("b", null));
        Assert.True(changes.Superseded("remote", "k", "\"a\""));
        Assert.False(changes.Superseded("remote", "k", "\"b\""));
        changes.TryTake(Delete(null));
        Assert.True(changes.Superseded("remote", "k", "\"b\""));
        clock.Advance(RemoteChanges.Kept);
        Assert.False(changes.Superseded("remote", "k", "\"b\""));
    }

    [Theory]
    // Padded with zeros on the right, as AWS says: 0055AED6DCD90281E5 < 0055AED6DCD90281E50 < 0055AED6DCD90281E6.
    [InlineData("0055AED6DCD90281E5", "0055AED6DCD90281E6", -1)]
    [InlineData("0055AED6DCD90281E50", "0055AED6DCD90281E5", 0)]
    [InlineData("0055AED6DCD90281E51", "0055AED6DCD90281E5", 1)]
    public void Sequencers_compare_as_s3_says(string a, string b, int sign) => Assert.Equal(sign, Math.Sign(RemoteChanges.Compare(a, b)));

    [Fact]
    public void Rgws_sequencers_are_read_as_the_time_they_encode()
    {
        // Seen from RGW 16.2 here: a PUT, then a DELETE of the same key 155 ms later.
        var put = S3EventRecords.CephSequencer("F2890A6BF54B0004");
        var delete = S3EventRecords.CephSequencer("F2890A6B66E2470D");
        Assert.Equal("6B0A89F204004BF5", put);
        Assert.True(RemoteChanges.Compare(put, delete) < 0);
        Assert.True(string.CompareOrdinal("F2890A6BF54B0004", "F2890A6B66E2470D") > 0, "as text, RGW's own order is wrong");
    }
}
