using System.Globalization;

namespace S3Overlay.Storage.ObjectLock;

/// <summary>One version's Object Lock retention: kept, in its mode, until <see cref="RetainUntil"/>.</summary>
/// <param name="Mode"><see cref="RetentionModes.Governance"/> or <see cref="RetentionModes.Compliance"/>, as S3 spells them.</param>
internal sealed record ObjectRetention(string Mode, DateTimeOffset RetainUntil)
{
    public bool IsCompliance => Mode == RetentionModes.Compliance;

    /// <summary>Whether it still protects the version at <paramref name="now"/>; a past date protects nothing.</summary>
    public bool ActiveAt(DateTimeOffset now) => RetainUntil > now;

    /// <summary>The date as S3 writes its timestamps: UTC, milliseconds, <c>Z</c> (<c>2030-01-01T00:00:00.000Z</c>).</summary>
    public string RetainUntilText => RetainUntil.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A retain-until date as S3 writes it: ISO 8601 with a time zone (<c>2030-01-01T00:00:00Z</c>, with or without fractions).</summary>
    public static DateTimeOffset? ParseDate(string? text) =>
        text is { Length: > 0 } && text.Contains('T')
        && DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date)
            ? date : null;
}

/// <summary>The two retention modes: GOVERNANCE yields to a caller allowed to bypass it, COMPLIANCE to no one.</summary>
internal static class RetentionModes
{
    public const string Governance = "GOVERNANCE";
    public const string Compliance = "COMPLIANCE";

    /// <summary>Upper case only: S3 refuses <c>governance</c> (ceph/s3-tests' test_object_lock_put_obj_lock_invalid_mode).</summary>
    public static bool IsValid(string? mode) => mode is Governance or Compliance;
}
