using System.Globalization;
using S3Overlay.S3.Errors;

namespace S3Overlay.S3.Auth;

/// <summary>
/// A presigned URL's <c>X-Amz-Expires</c>, refused as S3 refuses it: 403 with S3's words when it
/// is over a week or negative (s3-tests expects 403 of all of them), 400 when it is no number.
/// </summary>
internal static class PresignedExpiry
{
    public static long Seconds(string value)
    {
        if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
        {
            // A run of digits too long for a number is still longer than a week.
            if (value.Length > 0 && value.All(char.IsAsciiDigit)) throw OverAWeek();
            throw new S3Exception(S3Error.AuthorizationQueryParametersError.WithMessage("X-Amz-Expires should be a number"));
        }
        if (seconds < 0) throw new S3Exception(S3Error.AccessDenied.WithMessage("X-Amz-Expires must be non-negative"));
        return seconds <= SigV4Verifier.MaxPresignedExpirySeconds ? seconds : throw OverAWeek();
    }

    public static S3Exception OverAWeek() => new(S3Error.AccessDenied.WithMessage(
        $"X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than {SigV4Verifier.MaxPresignedExpirySeconds} seconds"));
}
