using System.Globalization;
using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Errors;
using S3Overlay.Signing;

namespace S3Overlay.S3.Auth;

/// <summary>When a signed request says it was made, and whether that is close enough to now.</summary>
internal static class RequestTime
{
    /// <summary>S3 refuses requests whose clock is off by more than this.</summary>
    public static readonly TimeSpan MaxSkew = TimeSpan.FromMinutes(15);

    /// <summary>
    /// x-amz-date (ISO 8601 basic, or an HTTP date), else the Date header; AccessDenied when the one
    /// that counts is not a valid date. An x-amz-date sent empty counts (S3 does not fall back to
    /// Date then), and so does one before 1970: S3 takes neither for a time at all, rather than for
    /// a time too far off.
    /// </summary>
    public static DateTimeOffset Of(HttpRequest request)
    {
        var text = request.Headers.TryGetValue("x-amz-date", out var amzDate) ? amzDate.ToString() : request.Headers.Date.ToString();
        if (TryParse(text, out var time) && time >= DateTimeOffset.UnixEpoch)
            return time;
        throw new S3Exception(S3Error.AccessDenied.WithMessage("AWS authentication requires a valid Date or x-amz-date header."));
    }

    // s3cmd signing V2 sends x-amz-date as RFC 2822 with a numeric zone ("Sat, 21 Nov 2026 20:03:11 +0000"),
    // rclone's SigV2 says "UTC" where HTTP says "GMT". The day's name is read past, not checked
    // against the date: S3 answers a far-off "Tue, 07 Jul 2030" (a Sunday) as too skewed, not as
    // no date, and .NET's parser refuses a name that does not match.
    private static readonly string[] HttpDateFormats = ["dd MMM yyyy HH:mm:ss 'GMT'", "dd MMM yyyy HH:mm:ss zzz", "dd MMM yyyy HH:mm:ss 'UTC'"];

    public static bool TryParse(string text, out DateTimeOffset time)
    {
        if (TryParseBasic(text, out time)) return true;
        var comma = text.IndexOf(", ", StringComparison.Ordinal);
        return comma == 3 && char.IsAsciiLetter(text[0]) && char.IsAsciiLetter(text[1]) && char.IsAsciiLetter(text[2])
            && DateTimeOffset.TryParseExact(text.AsSpan(comma + 2), HttpDateFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
    }

    /// <summary>
    /// SigV4's <c>yyyyMMdd'T'HHmmss'Z'</c>, read digit by digit: every signed request has one, and
    /// .NET's general date parser took a tenth of a presigned GET's signature check.
    /// </summary>
    private static bool TryParseBasic(string text, out DateTimeOffset time)
    {
        time = default;
        if (text.Length != 16 || text[8] != 'T' || text[15] != 'Z') return false;
        int Digits(int at, int count)
        {
            var value = 0;
            foreach (var c in text.AsSpan(at, count))
            {
                if (!char.IsAsciiDigit(c)) return -1;
                value = value * 10 + (c - '0');
            }
            return value;
        }
        var (year, month, day) = (Digits(0, 4), Digits(4, 2), Digits(6, 2));
        var (hour, minute, second) = (Digits(9, 2), Digits(11, 2), Digits(13, 2));
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour is < 0 or > 23 || minute is < 0 or > 59 || second is < 0 or > 59)
            return false;
        time = new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero);
        return true;
    }

    /// <summary>The time as SigV4 signs it, <c>yyyyMMdd'T'HHmmss'Z'</c> (written digit by digit, as it is read).</summary>
    public static string Basic(DateTimeOffset time) => string.Create(16, time.UtcDateTime, static (text, t) =>
    {
        static void Digits(Span<char> into, int value)
        {
            for (var i = into.Length - 1; i >= 0; i--, value /= 10) into[i] = (char)('0' + value % 10);
        }
        Digits(text[..4], t.Year);
        Digits(text[4..6], t.Month);
        Digits(text[6..8], t.Day);
        text[8] = 'T';
        Digits(text[9..11], t.Hour);
        Digits(text[11..13], t.Minute);
        Digits(text[13..15], t.Second);
        text[15] = 'Z';
    });

    public static void CheckSkew(DateTimeOffset requestTime, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        if ((now - requestTime).Duration() > MaxSkew)
            throw new S3Exception(S3Error.RequestTimeTooSkewed)
                .With("RequestTime", requestTime.ToString(SigV4.TimestampFormat, CultureInfo.InvariantCulture))
                .With("ServerTime", now.ToString(SigV4.TimestampFormat, CultureInfo.InvariantCulture))
                .With("MaxAllowedSkewMilliseconds", ((long)MaxSkew.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
    }
}
