using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;
using S3Overlay.Storage.ObjectLock;

namespace S3Overlay.S3.ObjectLock;

/// <summary>The Object Lock headers of writes (PUT, copy, CreateMultipartUpload) and of GET/HEAD answers.</summary>
internal static class ObjectLockHeaders
{
    public const string Mode = "x-amz-object-lock-mode";
    public const string RetainUntilDate = "x-amz-object-lock-retain-until-date";
    public const string LegalHold = "x-amz-object-lock-legal-hold";
    public const string BypassGovernance = "x-amz-bypass-governance-retention";

    /// <summary>Whether the write names any lock parameter.</summary>
    public static bool Present(HttpRequest request) =>
        request.Headers.ContainsKey(Mode) || request.Headers.ContainsKey(RetainUntilDate) || request.Headers.ContainsKey(LegalHold);

    /// <summary>The retention a write asks for: mode and date together or neither (InvalidArgument otherwise, as S3).</summary>
    public static ObjectRetention? Retention(HttpRequest request)
    {
        var mode = request.Headers[Mode].ToString();
        var date = request.Headers[RetainUntilDate].ToString();
        if (mode.Length == 0 && date.Length == 0) return null;
        if (mode.Length == 0 || date.Length == 0)
            throw Invalid("x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied", mode.Length == 0 ? Mode : RetainUntilDate);
        if (!RetentionModes.IsValid(mode)) throw Invalid("Unknown wormMode directive.", Mode);
        return new ObjectRetention(mode, ObjectRetention.ParseDate(date) ?? throw Invalid("The retain until date is not an ISO 8601 date.", RetainUntilDate));
    }

    /// <summary>The legal hold a write asks for: true (ON), false (OFF) or null (not named).</summary>
    public static bool? LegalHoldOf(HttpRequest request) => request.Headers[LegalHold].ToString() switch
    {
        "" => null,
        "ON" => true,
        "OFF" => false,
        _ => throw Invalid("Legal Hold must be either of 'ON' or 'OFF'", LegalHold),
    };

    /// <summary>Whether the caller asks to bypass GOVERNANCE retention (whether it may is the policies' to say).</summary>
    public static bool AsksBypass(HttpRequest request) =>
        string.Equals(request.Headers[BypassGovernance].ToString().Trim(), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The version's lock on a GET or HEAD answer, as S3 tells it.</summary>
    public static void Write(HttpResponse response, ObjectMetadata metadata)
    {
        if (metadata.Retention is { } retention)
        {
            response.Headers[Mode] = retention.Mode;
            response.Headers[RetainUntilDate] = Xml.S3XmlResponse.Timestamp(retention.RetainUntil);
        }
        if (metadata.LegalHold) response.Headers[LegalHold] = "ON";
    }

    private static S3Exception Invalid(string message, string header) =>
        new S3Exception(S3Error.InvalidArgument.WithMessage(message)).With("ArgumentName", header);
}
