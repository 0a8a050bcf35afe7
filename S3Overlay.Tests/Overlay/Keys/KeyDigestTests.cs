using S3Overlay.Overlay.Keys;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Overlay.Keys;

/// <summary>The 16 bytes the per-key tables keep for a key, or a key and its ETag.</summary>
[UnitTests]
public sealed class KeyDigestTests
{
    [Fact]
    public void Where_the_bucket_ends_and_the_key_begins_is_part_of_the_digest()
    {
        Assert.Equal(KeyDigest.Of("b", "k"), KeyDigest.Of("b", "k"));
        Assert.NotEqual(KeyDigest.Of("ab", "c"), KeyDigest.Of("a", "bc"));
        Assert.NotEqual(KeyDigest.Of("b", "k"), KeyDigest.Of("b", "K"));
    }

    [Fact]
    public void Where_the_key_ends_and_the_etag_begins_is_part_of_the_digest()
    {
        Assert.NotEqual(KeyDigest.Of("b", "k", "\"e\""), KeyDigest.Of("b", "k\"", "e\""));
        Assert.NotEqual(KeyDigest.Of("b", "k", ""), KeyDigest.Of("b", "k"));
        Assert.NotEqual(KeyDigest.Of("b", "k", "\"1\""), KeyDigest.Of("b", "k", "\"2\""));
        // A key may hold any character; 'ÿ' (U+00FF) is two bytes of UTF-8, never the 0xFF that ends the key.
        Assert.NotEqual(KeyDigest.Of("b", "kÿe"), KeyDigest.Of("b", "k", "e"));
    }

    [Fact]
    public void Keys_longer_than_the_stack_buffer_are_told_apart()
    {
        var long1 = new string('é', 1000) + "1";
        Assert.Equal(KeyDigest.Of("b", long1, "\"e\""), KeyDigest.Of("b", long1, "\"e\""));
        Assert.NotEqual(KeyDigest.Of("b", long1), KeyDigest.Of("b", new string('é', 1000) + "2"));
    }
}
