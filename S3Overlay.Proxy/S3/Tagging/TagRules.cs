using S3Overlay.S3.Errors;

namespace S3Overlay.S3.Tagging;

/// <summary>
/// What S3 allows in one kind of resource's tag set. Keys, values and their characters follow the
/// same rules everywhere; objects and buckets differ in how many tags they take and in how S3
/// words its refusal of a key in the reserved <c>aws:</c> space.
/// </summary>
internal sealed class TagRules
{
    private TagRules(int maxTags, S3Error tooMany, Func<string, string?> reservedKey)
    {
        MaxTags = maxTags;
        TooMany = tooMany;
        ReservedKey = reservedKey;
    }

    /// <summary>
    /// Ten tags; any case of <c>aws:</c> is refused alike. An eleventh is an InvalidTag, the one
    /// error S3 documents for a tag set it refuses (and what Ceph RGW answers).
    /// </summary>
    public static readonly TagRules Object = new(10, S3Error.InvalidTag.WithMessage("Object tags cannot be greater than 10"),
        key => key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase) ? "Your TagKey cannot be prefixed with aws:" : null);

    /// <summary>
    /// Fifty tags. S3 keeps <c>aws:</c> (exactly so) for its own system tags, and refuses the
    /// other spellings of the prefix with words of their own.
    /// </summary>
    public static readonly TagRules Bucket = new(50, S3Error.BadRequest.WithMessage("Bucket tag count cannot be greater than 50"),
        key => key.StartsWith("aws:", StringComparison.Ordinal) ? "System tags cannot be added/updated by requester"
            : key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase)
                ? "Invalid Tag. Tags cannot start with \"aws:\"(case insensitive) unless they are System Tags that start with \"aws:\"(case sensitive)"
                : null);

    public int MaxTags { get; }

    /// <summary>The error a set of more than <see cref="MaxTags"/> tags gets.</summary>
    public S3Error TooMany { get; }

    /// <summary>The message of the InvalidTag a key in the reserved space gets; null for any other key.</summary>
    public Func<string, string?> ReservedKey { get; }
}
