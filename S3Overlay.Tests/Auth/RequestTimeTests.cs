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

    /// <summary>SigV4's format is read digit by digit: it must take and refuse just what .NET's parser of that format does, and write back what it read.</summary>
    [Fact]
    public void The_basic_format_reads_as_dotnet_reads_it()
    {
        var random = new Random(27);
        var texts = new List<string> { "20240229T000000Z", "20230229T000000Z", "00010101T000000Z", "99991231T235959Z", "20261121T240000Z", "20261121T236000Z",
            "20261121T235960Z", "20261100T120000Z", "20260021T120000Z", "2026112 T120000Z", "20261121t120000Z", "20261121T120000z", "20261121T12000Z" };
        for (var i = 0; i < 2000; i++)
        {
            var t = new DateTime(1, 1, 1).AddSeconds(random.NextInt64(0, (long)(DateTime.MaxValue - DateTime.MinValue).TotalSeconds));
            var text = t.ToString(SigV4.TimestampFormat, System.Globalization.CultureInfo.InvariantCulture).ToCharArray();
            if (random.Next(4) == 0) text[random.Next(text.Length)] = "0123456789TZ -"[random.Next(14)];
            texts.Add(new string(text));
        }
        foreach (var text in texts)
        {
            var expected = DateTimeOffset.TryParseExact(text, SigV4.TimestampFormat, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var dotnet);
            Assert.Equal(expected, RequestTime.TryParse(text, out var ours));
            if (!expected) continue;
            Assert.Equal(dotnet, ours);
            Assert.Equal(text, RequestTime.Basic(ours));
        }
    }
}
