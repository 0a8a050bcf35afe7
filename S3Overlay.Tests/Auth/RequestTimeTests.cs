using S3Overlay.S3.Auth;

namespace S3Overlay.Tests.Auth;

public class RequestTimeTests
{
    // SigV4's basic format, the RFC 1123 date, s3cmd's SigV2 "+0000" and rclone's SigV2 "UTC".
    [Theory]
    [InlineData("20261121T195717Z")]
    [InlineData("Sat, 21 Nov 2026 19:57:17 GMT")]
    [InlineData("Sat, 21 Nov 2026 19:57:17 +0000")]
    [InlineData("Sat, 21 Nov 2026 19:57:17 UTC")]
    public void Every_date_spelling_clients_send_is_understood(string text)
    {
        Assert.True(RequestTime.TryParse(text, out var time));
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 19, 57, 17, TimeSpan.Zero), time);
    }

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("20261321T195717Z")]
    public void Nonsense_is_not_a_date(string text) => Assert.False(RequestTime.TryParse(text, out _));
}
