using S3Overlay.S3.Auth;
using S3Overlay.Signing;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Auth;

[UnitTests]
public class RequestTimeTests
{
    // SigV4's basic format, the RFC 1123 date, s3cmd's SigV2 "+0000" and rclone's SigV2 "UTC".
    [Theory]
    [InlineData("20261121T195717Z")]
    [InlineData("Sat, 21 Nov 2026 19:57:17 GMT")]
    [InlineData("Sat, 21 Nov 2026 19:57:17 +0000")]
    [InlineData("Sat, 21 Nov 2026 19:57:17 UTC")]
    [InlineData("Tue, 21 Nov 2026 19:57:17 GMT")] // the day's name is not checked, as S3 does not
    public void Every_date_spelling_clients_send_is_understood(string text)
    {
        Assert.True(RequestTime.TryParse(text, out var time));
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 19, 57, 17, TimeSpan.Zero), time);
    }

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("20261321T195717Z")]
    [InlineData("21 Nov 2026 19:57:17 GMT")]
    [InlineData("Sat, 31 Nov 2026 19:57:17 GMT")]
    [InlineData("Bad Date")]
    public void Nonsense_is_not_a_date(string text) => Assert.False(RequestTime.TryParse(text, out _));

    /// <summary>
    /// Which header a request's time comes from, and what S3 refuses as no time at all (403
    /// AccessDenied) rather than a time too far off (RequestTimeTooSkewed): ceph/s3-tests' SigV2
    /// date tests, which AWS passes.
    /// </summary>
    [Theory]
    [InlineData("Tue, 07 Jul 2030 21:53:04 GMT", "2030-07-07T21:53:04Z")]
    [InlineData("Tue, 07 Jul 2010 21:53:04 GMT", "2010-07-07T21:53:04Z")]
    [InlineData("", null)] // sent empty: not a fall-back to Date
    [InlineData("Bad Date", null)]
    [InlineData("Tue, 07 Jul 1950 21:53:04 GMT", null)] // before 1970
    public void The_time_of_a_request_is_its_x_amz_date_when_it_sends_one(string amzDate, string? expected)
    {
        var request = new Microsoft.AspNetCore.Http.DefaultHttpContext().Request;
        request.Headers.Date = "Sat, 21 Nov 2026 19:57:17 GMT";
        request.Headers["x-amz-date"] = amzDate;
        if (expected is null)
            Assert.Equal("AccessDenied", Assert.Throws<S3Overlay.S3.Errors.S3Exception>(() => RequestTime.Of(request)).Error.Code);
        else
            Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), RequestTime.Of(request));
    }

    [Fact]
    public void Without_x_amz_date_the_time_is_the_date_header()
    {
        var request = new Microsoft.AspNetCore.Http.DefaultHttpContext().Request;
        request.Headers.Date = "Sat, 21 Nov 2026 19:57:17 GMT";
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 19, 57, 17, TimeSpan.Zero), RequestTime.Of(request));
    }

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
