using System.Globalization;
using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Errors;

namespace S3Overlay.S3.Auth;

/// <summary>When a signed request says it was made, and whether that is close enough to now.</summary>
public static class RequestTime
{
    /// <summary>S3 refuses requests whose clock is off by more than this.</summary>
    public static readonly TimeSpan MaxSkew = TimeSpan.FromMinutes(15);

    /// <summary>x-amz-date (ISO 8601 basic, or an HTTP date), else the Date header; AccessDenied when neither is valid.</summary>
    public static DateTimeOffset Of(HttpRequest request)
    {
        var amzDate = request.Headers["x-amz-date"].ToString();
        if (amzDate.Length > 0 ? TryParse(amzDate, out var time) : TryParse(request.Headers.Date.ToString(), out time))
            return time;
        throw new S3Exception(S3Error.AccessDenied.WithMessage("AWS authentication requires a valid Date or x-amz-date header."));
    }

    // s3cmd signing V2 sends x-amz-date as RFC 2822 with a numeric zone ("Sat, 21 Nov 2026 20:03:11 +0000"),
    // rclone's SigV2 says "UTC" where HTTP says "GMT".
    private static readonly string[] HttpDateFormats = ["r", "ddd, dd MMM yyyy HH:mm:ss zzz", "ddd, dd MMM yyyy HH:mm:ss 'UTC'"];

    public static bool TryParse(string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(text, SigV4.TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time)
        || DateTimeOffset.TryParseExact(text, HttpDateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);

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
