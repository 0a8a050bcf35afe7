using S3Overlay.Overlay;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Overlay.LostLocal;

namespace S3Overlay.Tests.Overlay;

/// <summary>The keys a read may take from the remote while the local store is down (docs/overlay.md, "A lost local store").</summary>
[UnitTests]
public sealed class RemoteBackedKeysTests
{
    [Fact]
    public void A_read_that_began_before_a_write_of_its_key_does_not_make_it_the_remotes()
    {
        var keys = new RemoteBackedKeys();
        var before = keys.Begin();
        keys.Forget("b", "k"); // a PUT starts
        keys.Learn("b", "k", before); // a read that began earlier ends, having found the remote's object
        Assert.False(keys.Contains("b", "k"));

        keys.Learn("b", "k", keys.Begin()); // a read that began after the write
        Assert.True(keys.Contains("b", "k"));
        Assert.False(keys.Contains("b", "other"));
        Assert.False(keys.Contains("bb", "k"));
    }

    [Fact]
    public void A_key_found_to_be_a_clients_object_is_dropped()
    {
        var keys = new RemoteBackedKeys();
        keys.Learn("b", "k", keys.Begin());
        keys.Drop("b", "k");
        Assert.False(keys.Contains("b", "k"));
    }

    [Fact]
    public void It_keeps_the_keys_read_lately_within_its_capacity()
    {
        var keys = new RemoteBackedKeys(capacity: 100);
        keys.Learn("b", "old", keys.Begin());
        for (var i = 0; i < 49; i++) keys.Learn("b", $"k{i}", keys.Begin());
        keys.Learn("b", "old", keys.Begin()); // read again: it moves to the newer half
        for (var i = 49; i < 100; i++) keys.Learn("b", $"k{i}", keys.Begin());
        Assert.True(keys.Contains("b", "old"));
        Assert.False(keys.Contains("b", "k0"));
        Assert.True(keys.Contains("b", "k99"));
    }

    [Fact]
    public void Long_keys_are_told_apart()
    {
        var keys = new RemoteBackedKeys();
        keys.Learn("b", new string('é', 1000) + "1", keys.Begin());
        Assert.True(keys.Contains("b", new string('é', 1000) + "1"));
        Assert.False(keys.Contains("b", new string('é', 1000) + "2"));
    }
}
