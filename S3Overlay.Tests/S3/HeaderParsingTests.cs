using S3Overlay.S3.Http;
using S3Overlay.Storage;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3;

/// <summary>
/// The request headers read through the framework's parsers (RangeHeaderValue, HeaderUtilities),
/// at the edges where those parsers and S3's rules could part: each row is what the server did
/// before the swap, and still does.
/// </summary>
[UnitTests]
public sealed class HeaderParsingTests
{
    [Theory]
    [InlineData("bytes=0-9", 0L, 9L)]
    [InlineData("bytes=5-", 5L, null)]
    [InlineData("bytes=-5", null, 5L)]
    [InlineData("bytes=-0", null, 0L)]            // parsed, then unsatisfiable (416)
    [InlineData("BYTES=1-2", 1L, 2L)]             // the unit is case-insensitive
    [InlineData(" bytes=1-2 ", 1L, 2L)]
    [InlineData("bytes=7-7", 7L, 7L)]
    [InlineData("bytes=0-99999999999999", 0L, 99999999999999L)]
    public void A_single_byte_range_is_read(string header, long? first, long? last) =>
        Assert.Equal(new ByteRange(first, last), ByteRange.Parse(header));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("bytes=")]
    [InlineData("bytes=9-5")]                      // last before first: invalid, so ignored (200), not 416
    [InlineData("bytes=0-1,4-5")]                  // several ranges: S3 serves the whole object
    [InlineData("bytes=0-1,")]                     // a trailing empty list element is still a list
    [InlineData("items=0-1")]
    [InlineData("bytes=a-b")]
    [InlineData("bytes=-")]
    [InlineData("bytes=0-99999999999999999999")]   // overflows a long
    [InlineData("bytes 0-1")]
    public void Anything_else_is_no_range(string? header) => Assert.Null(ByteRange.Parse(header));

    [Theory]
    [InlineData("Sun, 06 Nov 1994 08:49:37 GMT")]      // IMF-fixdate
    [InlineData("Sunday, 06-Nov-94 08:49:37 GMT")]     // RFC 850
    [InlineData("Sun Nov  6 08:49:37 1994")]           // asctime
    [InlineData("1994-11-06T08:49:37Z")]               // ISO 8601: some clients send it in copy-source conditions
    [InlineData("1994-11-06T08:49:37.000Z")]
    public void Http_dates_in_every_form_S3_reads(string value) =>
        Assert.Equal(new DateTimeOffset(1994, 11, 6, 8, 49, 37, TimeSpan.Zero), HttpDates.Parse(value));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("1994-11-06")]                          // a date alone is not ISO 8601 enough (no 'T')
    public void A_date_that_is_none_of_them_is_ignored(string? value) => Assert.Null(HttpDates.Parse(value));

    [Theory]
    [InlineData("\"abc\"", "\"abc\"", true)]
    [InlineData("abc", "\"abc\"", true)]               // unquoted, as some S3 clients send it (EntityTagHeaderValue would refuse it)
    [InlineData("W/\"abc\"", "\"abc\"", true)]          // weak compared as strong: S3 has no weak ETags
    [InlineData("\"x\", \"abc\"", "\"abc\"", true)]
    [InlineData("*", "\"abc\"", true)]
    [InlineData("\"abd\"", "\"abc\"", false)]
    public void ETag_lists_match_as_S3_matches_them(string header, string etag, bool matches) =>
        Assert.Equal(matches, ReadConditions.ETagMatches(header, etag));
}
