namespace S3Overlay.Configuration.Catalog;

/// <summary>
/// A setting other code reads (ASP.NET Core's <c>urls</c>, OpenTelemetry's <c>OTEL_*</c>, Aspire's
/// connection strings), declared here so the reference lists it beside ours and a flag can set it.
/// </summary>
/// <param name="key">The configuration key it is read by (<c>urls</c>); the variable's own name when they are the same.</param>
internal sealed class ExternalSetting(string variable, string key, string? defaultValue, string meaning)
    : Setting(variable, key, meaning)
{
    public string? Default { get; } = defaultValue;

    public override string? DefaultValue => Default;

    /// <summary>A flag sets the key its reader reads (<c>urls</c>, not <c>ASPNETCORE_URLS</c>).</summary>
    public override string FlagSets => Key;
}
