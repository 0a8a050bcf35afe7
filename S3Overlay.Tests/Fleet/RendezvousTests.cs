using S3Overlay.Overlay.Fleet;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Fleet;

/// <summary>Rendezvous hashing gives every key one owner, the same on every replica, and moves only a leaver's keys.</summary>
[UnitTests]
public sealed class RendezvousTests
{
    private static readonly string[] Peers = ["http://10.0.0.1:8000/", "http://10.0.0.2:8000/", "http://10.0.0.3:8000/"];
    private static readonly string[] Keys = [.. Enumerable.Range(0, 3000).Select(i => $"bucket/dir/object-{i}")];

    private static string Owner(IReadOnlyList<string> peers, string key) => Rendezvous.Owner(peers, key, Rendezvous.Hash);

    [Fact]
    public void The_owner_does_not_depend_on_the_order_of_the_list()
    {
        var reversed = Peers.Reverse().ToArray();
        Assert.All(Keys, key => Assert.Equal(Owner(Peers, key), Owner(reversed, key)));
    }

    [Fact]
    public void Keys_spread_evenly_over_the_peers()
    {
        var counts = Keys.GroupBy(key => Owner(Peers, key)).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(3, counts.Count);
        Assert.All(counts.Values, n => Assert.InRange(n, 900, 1100));
    }

    [Fact]
    public void A_peer_that_leaves_moves_only_its_own_keys()
    {
        var without = Peers.Where(p => p != Peers[1]).ToArray();
        foreach (var key in Keys)
        {
            var before = Owner(Peers, key);
            if (before != Peers[1]) Assert.Equal(before, Owner(without, key));
        }
    }
}
