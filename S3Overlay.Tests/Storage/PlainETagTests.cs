using S3Overlay.Storage;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Storage;

[UnitTests]
public class PlainETagTests
{
    private const string Hex = "9e107d9d372bb6826bd81d3542a419d6";

    [Theory]
    [InlineData("\"" + Hex + "\"")]
    [InlineData(Hex)]
    [InlineData("\"9E107D9D372BB6826BD81D3542A419D6\"")]
    public void A_plain_etag_quoted_or_not_in_either_case_is_the_md5_of_the_bytes(string etag) =>
        Assert.Equal(Convert.FromHexString(Hex), PlainETag.Md5Of(etag));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("\"" + Hex + "-3\"")] // multipart
    [InlineData("\"9e107d9d372bb6826bd81d3542a419d\"")] // 31 digits
    [InlineData("\"9e107d9d372bb6826bd81d3542a419zz\"")]
    [InlineData("\"\"" + Hex + "\"\"")] // quoted twice is not an ETag S3 sends
    public void Any_other_etag_says_nothing_of_the_bytes(string? etag) => Assert.Null(PlainETag.Md5Of(etag));
}
