using S3Overlay.Storage.Encryption;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Storage.Encryption;

/// <summary>The sealed format on its own: sizes both ways, ranges that decrypt only their packages, and damage that is never served.</summary>
[UnitTests]
public sealed class SegmentTests
{
    [Fact]
    public void Every_plaintext_size_maps_to_one_sealed_size_and_back()
    {
        foreach (var size in new long[] { 0, 1, 65535, 65536, 65537, 131072, 131073, 5L << 20, (5L << 20) + 3, 1L << 40 })
            Assert.Equal(size, Segment.PlaintextSize(Segment.CiphertextSize(size)));
        Assert.Equal(-1, Segment.PlaintextSize(Segment.HeaderSize + Segment.TagSize - 1));
        Assert.Equal(-1, Segment.PlaintextSize(Segment.CiphertextSize(65536) + 1)); // a second package of no plaintext is never written
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(65530, 20)]
    [InlineData(65536, 65536)]
    [InlineData(100, 199_000)]
    [InlineData(199_999, 1)]
    public async Task A_range_decrypts_from_the_packages_it_touches(long offset, long length)
    {
        var plain = new byte[200_000];
        new Random(5).NextBytes(plain);
        var dataKey = SealedKey.NewDataKey();
        var sealedBytes = await SealAsync(plain, dataKey);
        Assert.Equal(Segment.CiphertextSize(plain.Length), sealedBytes.Length);

        var layout = new SegmentLayout([new SegmentSpan(0, 0, plain.Length, Segment.ZeroSalt)]);
        var (first, last, _, package, skip) = layout.SealedRange(new S3Overlay.Storage.ResolvedRange(offset, Math.Max(1, length), plain.Length));
        var window = new MemoryStream(sealedBytes[(int)first..(int)(last + 1)]);
        await using var decrypted = new DecryptingStream(window, dataKey, (Segment.ZeroSalt, plain.Length, package), skip, length);
        var got = new MemoryStream();
        await decrypted.CopyToAsync(got);
        Assert.Equal(plain.AsSpan((int)offset, (int)length).ToArray(), got.ToArray());
    }

    [Fact]
    public async Task A_changed_byte_a_cut_body_or_another_key_is_refused_not_served()
    {
        var plain = new byte[150_000];
        new Random(6).NextBytes(plain);
        var dataKey = SealedKey.NewDataKey();
        var sealedBytes = await SealAsync(plain, dataKey);

        var changed = (byte[])sealedBytes.Clone();
        changed[Segment.PackageOffset(1) + 10] ^= 1;
        await Assert.ThrowsAsync<IOException>(() => DecryptAsync(changed, dataKey, plain.Length));
        var cut = sealedBytes[..(int)Segment.PackageOffset(2)];
        await Assert.ThrowsAsync<IOException>(() => DecryptAsync(cut, dataKey, plain.Length));
        await Assert.ThrowsAsync<IOException>(() => DecryptAsync(sealedBytes, SealedKey.NewDataKey(), plain.Length));
        Assert.Equal(plain, await DecryptAsync(sealedBytes, dataKey, plain.Length));
    }

    [Fact]
    public void A_sealed_data_key_opens_only_with_its_key_for_its_object()
    {
        var sealing = SealedKey.NewDataKey();
        var dataKey = SealedKey.NewDataKey();
        var sealedKey = SealedKey.Seal(sealing, dataKey, "bucket", "key");
        Assert.Equal(dataKey, SealedKey.Unseal(sealing, sealedKey, "bucket", "key"));
        Assert.Null(SealedKey.Unseal(sealing, sealedKey, "bucket", "other"));
        Assert.Null(SealedKey.Unseal(SealedKey.NewDataKey(), sealedKey, "bucket", "key"));
    }

    private static async Task<byte[]> SealAsync(byte[] plain, byte[] dataKey)
    {
        await using var sealing = new EncryptingStream(new MemoryStream(plain), dataKey, Segment.ZeroSalt, plain.Length, null);
        var sealedBytes = new MemoryStream();
        await sealing.CopyToAsync(sealedBytes);
        return sealedBytes.ToArray();
    }

    private static async Task<byte[]> DecryptAsync(byte[] sealedBytes, byte[] dataKey, long length)
    {
        await using var decrypted = new DecryptingStream(new MemoryStream(sealedBytes), dataKey, null, 0, length);
        var got = new MemoryStream();
        await decrypted.CopyToAsync(got);
        return got.ToArray();
    }
}
