namespace S3Overlay.Configuration.Catalog;

/// <summary>
/// Every setting the server reads, by concern, in the order of the reference
/// (docs/configuration.md). A new setting is one declaration in its concern's catalog class; a
/// new concern is a catalog class and one line here.
/// </summary>
internal static class SettingCatalog
{
    public static IReadOnlyList<SettingSection> Sections { get; } =
    [
        SettingSection.Of("Server", typeof(ServerCatalog)),
        SettingSection.Of("Embedded file-system store", typeof(FileSystemStoreCatalog)),
        SettingSection.Of("An S3 server as the local store", typeof(LocalStoreCatalog)),
        SettingSection.Of("The remote", typeof(RemoteCatalog)),
        SettingSection.Of("Reads, cache and listings", typeof(CacheCatalog)),
        SettingSection.Of("The remote's change events", typeof(RemoteEventsCatalog)),
        SettingSection.Of("A fleet of replicas", typeof(FleetCatalog)),
        SettingSection.Of("Lifecycle", typeof(LifecycleCatalog)),
        SettingSection.Of("Bucket notifications", typeof(NotificationCatalog)),
        SettingSection.Of("Users and access", typeof(AccessCatalog)),
        SettingSection.Of("Telemetry", typeof(TelemetryCatalog)),
    ];

    public static IEnumerable<Setting> All => Sections.SelectMany(s => s.Settings);

    /// <summary>The settings <c>s3overlay serve</c> has a flag for, in the reference's order.</summary>
    public static IEnumerable<Setting> Flagged => All.Where(s => s.Flag is not null);
}
