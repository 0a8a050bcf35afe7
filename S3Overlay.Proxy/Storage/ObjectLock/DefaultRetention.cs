namespace S3Overlay.Storage.ObjectLock;

/// <summary>A bucket's default retention: what every new version gets unless its write names its own.</summary>
/// <param name="Days">Exactly one of <paramref name="Days"/> and <paramref name="Years"/> is set.</param>
internal sealed record DefaultRetention(string Mode, int? Days, int? Years)
{
    /// <summary>S3's limits: a default retention of at most 100 years (36,500 days).</summary>
    public const int MaxDays = 36_500;
    public const int MaxYears = 100;

    public ObjectRetention From(DateTimeOffset now) =>
        new(Mode, Days is { } days ? now.AddDays(days) : now.AddYears(Years ?? 0));
}
