namespace S3Overlay.Configuration.Catalog;

/// <summary>
/// A setting of each notification target, as MinIO declares its own with our prefix:
/// <paramref name="prefix"/><c>_&lt;ID&gt;</c> (or <c>Overlay:Notify:&lt;Type&gt;:&lt;ID&gt;:&lt;Field&gt;</c>), one
/// value per target ID; the name without a suffix is the ID <c>_</c>. The target is named
/// <c>arn:minio:sqs::&lt;ID&gt;:&lt;type&gt;</c>.
/// </summary>
/// <param name="prefix">The variable without its ID: the notify prefix, the type, the field (<c>…_WEBHOOK_AUTH_TOKEN</c>).</param>
internal sealed class TargetSetting(string prefix, string? defaultValue, string meaning)
    : Setting(prefix + "_<ID>", $"Overlay:Notify:{Pascal(TypeOf(prefix))}:<ID>:{Pascal(FieldOf(prefix))}", meaning)
{
    /// <summary>The target type, as its ARN ends (<c>webhook</c>).</summary>
    public string Type { get; } = TypeOf(prefix).ToLowerInvariant();

    /// <summary>The name start-up errors give, with the ID after it.</summary>
    public override string Name => prefix;

    private string Section { get; } = $"Overlay:Notify:{Pascal(TypeOf(prefix))}";

    private string Field { get; } = Pascal(FieldOf(prefix));

    public override string? DefaultValue => defaultValue;

    /// <summary>The IDs this setting is given for.</summary>
    public IEnumerable<string> Ids(SettingReader read) => read.Family(prefix, Section, Field).Select(m => m.Id).Distinct(StringComparer.Ordinal);

    /// <summary>The value for one target, or the default.</summary>
    public string? Read(SettingReader read, string id) => read.Member(prefix, Section, Field, id) ?? defaultValue;

    /// <summary>A start-up error about one target's value, naming its variable.</summary>
    public SettingException Invalid(string id, string problem) => new(id == "_" ? prefix : prefix + "_" + id, problem);

    // The prefix is S3, OVERLAY, NOTIFY, the type, then the field, joined by underscores.
    private static string TypeOf(string prefix) => prefix.Split('_')[3];

    private static string FieldOf(string prefix) => string.Join('_', prefix.Split('_')[4..]);

    private static string Pascal(string upper) =>
        string.Concat(upper.Split('_').Select(p => char.ToUpperInvariant(p[0]) + p[1..].ToLowerInvariant()));
}
