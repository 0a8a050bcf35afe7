using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace S3Overlay.Configuration;

/// <summary>
/// Reads one setting by its original environment name (<c>S3_OVERLAY_CHUNK_SIZE</c>) or its .NET
/// configuration key (<c>Overlay:ChunkSize</c>, i.e. <c>Overlay__ChunkSize</c> or appsettings.json).
/// The <c>S3_OVERLAY_*</c> name wins when both are set, so the original's documented variables
/// always mean what they say. A value that does not parse stops start-up naming the setting.
/// </summary>
internal sealed class SettingReader(IConfiguration configuration)
{
    public string? String(string envName, string? fallback = null)
    {
        var value = configuration[envName];
        if (string.IsNullOrWhiteSpace(value)) value = configuration[KeyOf(envName)];
        return string.IsNullOrWhiteSpace(value) ? fallback : value.Trim();
    }

    public long Long(string envName, long fallback, long min = long.MinValue, long max = long.MaxValue)
    {
        var text = String(envName);
        if (text is null) return fallback;
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw new SettingException(envName, $"'{text}' is not a whole number");
        if (value < min || value > max)
            throw new SettingException(envName, $"{value} is outside {min}..{max}");
        return value;
    }

    public bool Bool(string envName, bool fallback)
    {
        var text = String(envName);
        if (text is null) return fallback;
        return text.ToLowerInvariant() switch
        {
            "true" or "1" or "yes" or "on" => true,
            "false" or "0" or "no" or "off" => false,
            _ => throw new SettingException(envName, $"'{text}' is not true or false"),
        };
    }

    /// <summary>A duration in seconds (<c>30</c>) or as a .NET TimeSpan (<c>00:00:30</c>).</summary>
    public TimeSpan Duration(string envName, TimeSpan fallback)
    {
        var text = String(envName);
        if (text is null) return fallback;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            return TimeSpan.FromSeconds(seconds);
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero)
            return span;
        throw new SettingException(envName, $"'{text}' is not a duration (seconds, or hh:mm:ss)");
    }

    /// <summary>
    /// The settings of a family named by a suffix (<c>S3_OVERLAY_NOTIFY_WEBHOOK_ENDPOINT_&lt;ID&gt;</c>):
    /// each ID set, with its value. The name without a suffix is the ID <c>_</c>, as MinIO names
    /// its unnumbered targets; the .NET key is <paramref name="sectionKey"/><c>:&lt;ID&gt;:</c><paramref name="field"/>.
    /// </summary>
    public IEnumerable<(string Id, string Value)> Family(string envPrefix, string sectionKey, string field)
    {
        foreach (var (name, value) in configuration.AsEnumerable())
        {
            if (string.IsNullOrWhiteSpace(value)) continue;
            if (name == envPrefix) yield return ("_", value.Trim());
            else if (name.StartsWith(envPrefix + "_", StringComparison.Ordinal) && name.Length > envPrefix.Length + 1)
                yield return (name[(envPrefix.Length + 1)..], value.Trim());
        }
        foreach (var section in configuration.GetSection(sectionKey).GetChildren())
            if (section[field] is { } value && !string.IsNullOrWhiteSpace(value)) yield return (section.Key, value.Trim());
    }

    /// <summary>One ID's value of a family (see <see cref="Family"/>); the variable wins over the .NET key.</summary>
    public string? Member(string envPrefix, string sectionKey, string field, string id)
    {
        var value = configuration[id == "_" ? envPrefix : envPrefix + "_" + id];
        if (string.IsNullOrWhiteSpace(value)) value = configuration[$"{sectionKey}:{id}:{field}"];
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    /// <summary>An Aspire connection string: <c>ConnectionStrings__name</c> (<c>ConnectionStrings:name</c>).</summary>
    public string? ConnectionString(string name)
    {
        var value = configuration.GetConnectionString(name);
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    /// <summary><c>S3_OVERLAY_CHUNK_SIZE</c> → <c>Overlay:ChunkSize</c>; <c>ConnectionStrings__local</c> → <c>ConnectionStrings:local</c>.</summary>
    public static string KeyOf(string envName)
    {
        if (envName.Contains("__", StringComparison.Ordinal)) return envName.Replace("__", ":", StringComparison.Ordinal);
        var name = envName.StartsWith("S3_OVERLAY_", StringComparison.Ordinal) ? envName["S3_OVERLAY_".Length..] : envName;
        var parts = name.Split('_', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => char.ToUpperInvariant(p[0]) + p[1..].ToLowerInvariant());
        return "Overlay:" + string.Concat(parts);
    }
}
