using System.Xml.Linq;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Lifecycle;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Lifecycle;

/// <summary>
/// What a configuration decides for one version of a key, without a server: S3's day arithmetic,
/// filters, and the version actions a versioned bucket's scan will hand it.
/// </summary>
[UnitTests]
public sealed class LifecycleDecisionTests
{
    private static readonly DateTimeOffset Written = new(2026, 3, 10, 15, 30, 0, TimeSpan.Zero);

    private static LifecycleConfiguration Parse(string rules) =>
        LifecycleXml.FromXml(XElement.Parse($"<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">{rules}</LifecycleConfiguration>"));

    private static string Rule(string id, string filter, string actions, string status = "Enabled") =>
        $"<Rule><ID>{id}</ID>{filter}<Status>{status}</Status>{actions}</Rule>";

    [Fact]
    public void A_day_of_S3s_ends_at_the_midnight_UTC_after_the_days_have_passed_and_a_short_day_counts_from_the_second()
    {
        Assert.Equal(new DateTimeOffset(2026, 3, 12, 0, 0, 0, TimeSpan.Zero), LifecycleDays.Standard.After(Written, 1));
        Assert.Equal(new DateTimeOffset(2026, 4, 10, 0, 0, 0, TimeSpan.Zero), LifecycleDays.Standard.After(Written, 30));
        Assert.Equal(new DateTimeOffset(2026, 3, 12, 0, 0, 0, TimeSpan.Zero), LifecycleDays.Standard.After(Written.ToOffset(TimeSpan.FromHours(9)), 1));
        Assert.Equal(Written.AddSeconds(20), new LifecycleDays(TimeSpan.FromSeconds(10)).After(Written, 2));
    }

    [Fact]
    public void The_rule_that_falls_due_first_decides_and_filters_must_all_hold()
    {
        var configuration = Parse(
            Rule("slow", "<Filter><Prefix>logs/</Prefix></Filter>", "<Expiration><Days>30</Days></Expiration>")
            + Rule("tagged", "<Filter><And><Prefix>logs/</Prefix><Tag><Key>temp</Key><Value>yes</Value></Tag><ObjectSizeLessThan>100</ObjectSizeLessThan></And></Filter>", "<Expiration><Days>1</Days></Expiration>")
            + Rule("off", "<Filter/>", "<Expiration><Days>1</Days></Expiration>", status: "Disabled"));
        var tagged = new Dictionary<string, string> { ["temp"] = "yes", ["other"] = "x" };

        Assert.Equal(("tagged", LifecycleDays.Standard.After(Written, 1)), Of(configuration.Decide(new LifecycleObject("logs/a", 99, Written, tagged), LifecycleDays.Standard)));
        Assert.Equal("slow", configuration.Decide(new LifecycleObject("logs/a", 100, Written, tagged), LifecycleDays.Standard)?.RuleId);
        Assert.Equal("slow", configuration.Decide(new LifecycleObject("logs/a", 10, Written, new Dictionary<string, string> { ["temp"] = "no" }), LifecycleDays.Standard)?.RuleId);
        Assert.Null(configuration.Decide(new LifecycleObject("data/a", 10, Written, tagged), LifecycleDays.Standard));
        // Without its tags the object cannot be decided for by the tag rule: the caller reads them first.
        Assert.True(configuration.NeedsTags(new LifecycleObject("logs/a", 10, Written)));
        Assert.False(configuration.NeedsTags(new LifecycleObject("logs/a", 100, Written)));
        Assert.False(configuration.NeedsTags(new LifecycleObject("data/a", 10, Written)));
    }

    [Fact]
    public void A_date_falls_due_on_that_date_whenever_the_object_was_written()
    {
        var configuration = Parse(Rule("dated", "<Prefix></Prefix>", "<Expiration><Date>2020-01-01</Date></Expiration>"));

        var action = configuration.Decide(new LifecycleObject("any", 1, Written), LifecycleDays.Standard);

        Assert.Equal((LifecycleActionKind.ExpireCurrent, new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero)), (action!.Kind, action.Due));
    }

    [Fact]
    public void Noncurrent_versions_expire_days_after_they_were_replaced_keeping_the_newest_ones_however_old()
    {
        var configuration = Parse(Rule("versions", "<Filter/>", "<NoncurrentVersionExpiration><NoncurrentDays>3</NoncurrentDays><NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration>"));
        var replaced = Written.AddDays(5);
        LifecycleObject Noncurrent(int newer) => new("k", 10, Written, new Dictionary<string, string>(), BecameNoncurrent: replaced, NewerNoncurrent: newer, Versions: 5);

        Assert.Null(configuration.Decide(Noncurrent(0), LifecycleDays.Standard));
        Assert.Null(configuration.Decide(Noncurrent(1), LifecycleDays.Standard));
        var third = configuration.Decide(Noncurrent(2), LifecycleDays.Standard);
        Assert.Equal((LifecycleActionKind.DeleteNoncurrent, LifecycleDays.Standard.After(replaced, 3)), (third!.Kind, third.Due));
        // The current version is not the noncurrent rule's.
        Assert.Null(configuration.Decide(new LifecycleObject("k", 10, Written, Versions: 5), LifecycleDays.Standard));
    }

    [Fact]
    public void A_delete_marker_is_removed_only_when_it_is_the_last_version_of_its_key()
    {
        var configuration = Parse(Rule("markers", "<Filter><ObjectSizeGreaterThan>100</ObjectSizeGreaterThan></Filter>", "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>"));

        var alone = configuration.Decide(new LifecycleObject("k", 0, Written, IsDeleteMarker: true), LifecycleDays.Standard);
        Assert.Equal((LifecycleActionKind.DeleteExpiredMarker, Written), (alone!.Kind, alone.Due));
        Assert.Null(configuration.Decide(new LifecycleObject("k", 0, Written, IsDeleteMarker: true, Versions: 2), LifecycleDays.Standard));
        // The marker rule expires no object.
        Assert.Null(configuration.Decide(new LifecycleObject("k", 1000, Written), LifecycleDays.Standard));
    }

    [Fact]
    public void Every_filter_shape_is_written_back_as_it_was_put()
    {
        string[] rules =
        [
            Rule("a", "<Prefix>old/</Prefix>", "<Expiration><Days>1</Days></Expiration>"),
            Rule("b", "<Filter />", "<Expiration><Date>2030-01-01T00:00:00.000Z</Date></Expiration>"),
            Rule("c", "<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>", "<Expiration><Days>2</Days></Expiration>"),
            Rule("d", "<Filter><And><Prefix>p/</Prefix><Tag><Key>k</Key><Value></Value></Tag><ObjectSizeGreaterThan>1</ObjectSizeGreaterThan><ObjectSizeLessThan>9</ObjectSizeLessThan></And></Filter>",
                "<NoncurrentVersionExpiration><NoncurrentDays>4</NoncurrentDays><NewerNoncurrentVersions>5</NewerNoncurrentVersions></NoncurrentVersionExpiration>"),
            Rule("e", "", "<AbortIncompleteMultipartUpload><DaysAfterInitiation>6</DaysAfterInitiation></AbortIncompleteMultipartUpload>", status: "Disabled"),
        ];
        var text = LifecycleXml.ToText(Parse(string.Concat(rules)));

        Assert.Equal($"<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">{string.Concat(rules)}</LifecycleConfiguration>", text);
        Assert.Equal(text, LifecycleXml.ToText(LifecycleXml.FromText(text)!));
    }

    [Theory]
    [InlineData("<Rule><Status>Enabled</Status><Filter/><Expiration><Days>1</Days><Date>2030-01-01</Date></Expiration></Rule>", "MalformedXML")]
    [InlineData("<Rule><Status>Enabled</Status><Filter><Prefix>a</Prefix><ObjectSizeLessThan>1</ObjectSizeLessThan></Filter><Expiration><Days>1</Days></Expiration></Rule>", "MalformedXML")]
    [InlineData("<Rule><Status>Enabled</Status><Prefix>a</Prefix><Filter/><Expiration><Days>1</Days></Expiration></Rule>", "MalformedXML")]
    [InlineData("<Rule><Status>Enabled</Status><Filter/><Expiration><Days>x</Days></Expiration></Rule>", "MalformedXML")]
    [InlineData("<Rule><Status>Enabled</Status><Filter/><Expiration><Date>01/02/2030</Date></Expiration></Rule>", "MalformedXML")]
    [InlineData("<Rule><Status>Enabled</Status><Filter/><Expire><Days>1</Days></Expire></Rule>", "MalformedXML")]
    [InlineData("<Rule><Status>Enabled</Status><Filter><And><ObjectSizeGreaterThan>9</ObjectSizeGreaterThan><ObjectSizeLessThan>9</ObjectSizeLessThan></And></Filter><Expiration><Days>1</Days></Expiration></Rule>", "InvalidArgument")]
    [InlineData("<Rule><Status>Enabled</Status><Filter/><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>101</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>", "InvalidArgument")]
    [InlineData("<Rule><Status>Enabled</Status><Filter><And><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>a</Key><Value>2</Value></Tag></And></Filter><Expiration><Days>1</Days></Expiration></Rule>", "InvalidRequest")]
    [InlineData("<Rule><Status>Enabled</Status><Filter/><Transition><Days>1</Days><StorageClass>GLACIER</StorageClass></Transition></Rule>", "NotImplemented")]
    [InlineData("<Rule><Status>Enabled</Status><Filter/><Transition><Date>20220927</Date><StorageClass>GLACIER</StorageClass></Transition></Rule>", "MalformedXML")]
    [InlineData("<Rule><Status>Enabled</Status><Filter/><Transition><Days>1</Days></Transition></Rule>", "MalformedXML")]
    [InlineData("<Rule><Status>Enabled</Status><Filter/><NoncurrentVersionTransition><NoncurrentDays>1</NoncurrentDays><StorageClass>COLD</StorageClass></NoncurrentVersionTransition></Rule>", "MalformedXML")]
    [InlineData("<Rule><Status>Enabled</Status><Filter/><NoncurrentVersionTransition><NoncurrentDays>1</NoncurrentDays><StorageClass>STANDARD_IA</StorageClass></NoncurrentVersionTransition></Rule>", "NotImplemented")]
    public void A_configuration_S3_refuses_is_refused_with_its_code(string rule, string code)
    {
        var e = Assert.Throws<S3Exception>(() => Parse(rule));
        Assert.Equal(code, e.Error.Code);
    }

    private static (string?, DateTimeOffset?) Of(LifecycleAction? action) => (action?.RuleId, action?.Due);
}
