using Microsoft.Extensions.Configuration;
using S3Overlay.Hosting;
using S3Overlay.Buckets;
using S3Overlay.Configuration;
using S3Overlay.Overlay;
using S3Overlay.Configuration.Catalog;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Buckets;

/// <summary>How the bucket configuration is read: what a bucket may say, and the wrong entries that stop start-up naming their setting.</summary>
[UnitTests]
public sealed class BucketTargetsTests
{
    private static IConfiguration Config(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();

    [Fact]
    public void A_remote_bucket_takes_its_keys_from_a_credentials_file_and_its_prefix_as_a_folder()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "[default]\naws_access_key_id = AK\naws_secret_access_key = SK\n");
        var target = BucketTargets.From(Config(("Overlay:Buckets:photos:Remote:Endpoint", "http://127.0.0.1:9000"),
            ("Overlay:Buckets:photos:Remote:CredentialsFile", file), ("Overlay:Buckets:photos:Remote:Prefix", "/2025"))).Of("photos")!;
        File.Delete(file);
        Assert.Equal(("AK", "SK", "photos", "2025/"), (target.Remote!.AccessKey, target.Remote.SecretKey, target.RemoteBucket, target.RemotePrefix));
        Assert.True(target.Browseable);
        Assert.Null(target.Cache);
    }

    [Theory]
    [InlineData("Overlay:Buckets:Photos:Folder", "/tmp", "Overlay__Buckets__Photos", "is not a bucket name")]
    [InlineData("Overlay:Buckets:photos:ReadOnly", "true", "Overlay__Buckets__photos", "either its Remote (a section) or its Folder")]
    [InlineData("Overlay:Buckets:photos:Folder", "/no/such/folder/here", "Overlay__Buckets__photos__Folder", "no such folder")]
    [InlineData("Overlay:Buckets:photos:Remote:Endpoint", "ftp://x", "Overlay__Buckets__photos__Remote__Endpoint", "is not an http:// or https:// URL")]
    [InlineData("Overlay:Buckets:photos:Remote:AddressingStyle", "diagonal", "Overlay__Buckets__photos__Remote__AddressingStyle", "is not virtual or path")]
    [InlineData("Overlay:Buckets:photos:Remote:AccessKey", "AK", "Overlay__Buckets__photos__Remote__SecretKey", "must be set together")]
    [InlineData("Overlay:Buckets:photos:Remote:Endpointt", "http://x", "Overlay__Buckets__photos__Remote__Endpointt", "is not a setting here")]
    [InlineData("Overlay:Buckets:photos:Remote:CredentialsFile", "/no/such/file", "Overlay__Buckets__photos__Remote__CredentialsFile", "no such file")]
    public void A_wrong_entry_stops_start_up_naming_its_setting(string key, string value, string setting, string problem)
    {
        var e = Assert.Throws<SettingException>(() => BucketTargets.From(Config((key, value))));
        Assert.Equal(setting, e.Setting);
        Assert.Contains(problem, e.Problem);
    }

    [Fact]
    public void A_bad_flag_and_a_bucket_the_mapping_also_names_are_refused()
    {
        var flag = Assert.Throws<SettingException>(() => BucketTargets.From(Config(("Overlay:Buckets:archive:Folder", "/tmp"), ("Overlay:Buckets:archive:ReadOnly", "maybe"))));
        Assert.Equal(("Overlay__Buckets__archive__ReadOnly", "'maybe' is not true or false"), (flag.Setting, flag.Problem));

        var config = Config(("Overlay:Buckets:photos:Remote:Endpoint", "http://127.0.0.1:9000"), ("S3_OVERLAY_BUCKET_MAPPING", "pics:photos"));
        var mapped = Assert.Throws<SettingException>(() => BucketTargets.From(config).Shape(OverlaySettings.From(new SettingReader(config))));
        Assert.Equal(RemoteCatalog.BucketMapping.Name, mapped.Setting);
    }
}
