using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace S3Overlay.Configuration.Catalog;

/// <summary>One concern's settings, in the order its catalog class declares them: one table of the reference.</summary>
/// <param name="Catalog">The class that declares them.</param>
internal sealed record SettingSection(string Title, Type Catalog, IReadOnlyList<Setting> Settings)
{
    /// <summary>
    /// The settings a catalog class declares as public static fields. Read by reflection so that
    /// adding a setting is one declaration, with no list to keep in step beside it.
    /// </summary>
    public static SettingSection Of(string title, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicFields)] Type catalog) =>
        new(title, catalog, [.. catalog.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => typeof(Setting).IsAssignableFrom(f.FieldType))
            .Select(f => (Setting)f.GetValue(null)!)]);
}
