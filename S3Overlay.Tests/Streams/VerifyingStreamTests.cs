using System.Security.Cryptography;
using S3Overlay.S3.Errors;
using S3Overlay.Streams;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage.Checksums;

namespace S3Overlay.Tests.Streams;

/// <summary>
/// The one verifying stream, in both of its uses: a body with a promised length (an upload, a
/// remote body) is refused before its last byte is handed over; a request payload of unknown
/// length is refused on the read that reaches its end.
/// </summary>
[UnitTests]
public class VerifyingStreamTests
{
    private static readonly byte[] Data = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();

    [Fact]
    public async Task A_right_body_with_a_length_passes_whole()
    {
        await using var verifying = new VerifyingStream(new MemoryStream(Data), [PayloadCheck.Md5(MD5.HashData(Data))], Data.Length);
        var copy = new MemoryStream();
        await verifying.CopyToAsync(copy);
        Assert.Equal(Data, copy.ToArray());
        Assert.Null(verifying.Failure);
    }

    [Theory]
    [InlineData("short", "IncompleteBody")]
    [InlineData("long", "IncompleteBody")]
    [InlineData("bad-md5", "BadDigest")]
    public async Task A_wrong_body_with_a_length_fails_before_its_last_byte_is_handed_over(string failure, string code)
    {
        var source = failure switch { "short" => Data[..99], "long" => [.. Data, 0], _ => Data };
        var md5 = failure == "bad-md5" ? MD5.HashData(Data[1..]) : MD5.HashData(Data);
        await using var verifying = new VerifyingStream(new MemoryStream(source), [PayloadCheck.Md5(md5)], Data.Length);
        var handedOver = 0;
        var buffer = new byte[10];
        var error = await Assert.ThrowsAsync<StorageException>(async () =>
        {
            int n;
            while ((n = await verifying.ReadAsync(buffer)) > 0) handedOver += n;
        });
        Assert.Equal(code, error.Error.Code);
        Assert.Same(error, verifying.Failure);
        Assert.True(handedOver < Data.Length, $"{handedOver} bytes were handed over");
    }

    [Fact]
    public async Task Without_a_length_a_wrong_digest_fails_the_read_that_reaches_the_end()
    {
        await using var verifying = new VerifyingStream(new MemoryStream(Data), [PayloadCheck.Md5(MD5.HashData(Data[1..]))]);
        var buffer = new byte[Data.Length];
        Assert.Equal(Data.Length, await verifying.ReadAtLeastAsync(buffer, Data.Length));
        var error = await Assert.ThrowsAsync<StorageException>(() => verifying.ReadAsync(buffer).AsTask());
        Assert.Equal("BadDigest", error.Error.Code);
        Assert.Equal(0, await verifying.ReadAsync(buffer));
    }

    [Fact]
    public async Task An_empty_body_is_verified_by_its_owner()
    {
        await using var verifying = new VerifyingStream(new MemoryStream([1]), [], 0);
        var error = await Assert.ThrowsAsync<StorageException>(() => verifying.VerifyEndAsync(TestContext.Current.CancellationToken));
        Assert.Equal("IncompleteBody", error.Error.Code);
    }
}
