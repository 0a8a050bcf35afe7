namespace S3Overlay.S3.PostObject;

internal enum PolicyMatch { Eq, StartsWith }

/// <summary>
/// One <c>eq</c> or <c>starts-with</c> condition of a POST policy: a form field (named without
/// its <c>$</c>, matched case-insensitively) and the value it must equal or start with, compared
/// case-sensitively.
/// </summary>
internal sealed record PolicyCondition(PolicyMatch Match, string Field, string Value, string Text)
{
    public bool IsMetBy(string? actual)
    {
        actual ??= "";
        if (Match == PolicyMatch.Eq) return actual == Value;
        // S3 lets Content-Type list several types ("image/png,image/jpeg"); each must match.
        if (Field.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) && Value.Length > 0)
            return actual.Split(',', StringSplitOptions.TrimEntries).All(part => part.StartsWith(Value, StringComparison.Ordinal));
        return actual.StartsWith(Value, StringComparison.Ordinal);
    }
}
