using S3Overlay.Tests.Infrastructure;
using System.Xml.Linq;
using S3Overlay.S3.Errors;
using S3Overlay.S3.ObjectLock;
using S3Overlay.Storage;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage.ObjectLock;

namespace S3Overlay.Tests.ObjectLock;

/// <summary>What a lock forbids, and the configurations S3 refuses, decided at a fixed moment.</summary>
[UnitTests]
public sealed class ObjectLockRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly ObjectRetention Governance = new(RetentionModes.Governance, Now.AddDays(1));
    private static readonly ObjectRetention Compliance = new(RetentionModes.Compliance, Now.AddDays(1));

    [Theory]
    [InlineData(RetentionModes.Governance, false, true)]
    [InlineData(RetentionModes.Governance, true, false)]
    [InlineData(RetentionModes.Compliance, false, true)]
    [InlineData(RetentionModes.Compliance, true, true)]
    public void A_retention_not_yet_past_refuses_removal_unless_governance_is_bypassed(string mode, bool bypass, bool refused)
    {
        var version = new ObjectMetadata { Retention = new ObjectRetention(mode, Now.AddSeconds(1)) };
        Assert.True(ObjectLockRules.Blocks(version, Now));
        var e = Record.Exception(() => ObjectLockRules.CheckDelete(version, Now, bypass));
        Assert.Equal(refused, e is StorageException { Fault: StorageFault.AccessDenied });
        // The date as S3 writes it, which is what StorageErrors answers AccessDenied with.
        if (refused) Assert.Contains($"{mode} retention until 2026-11-27T12:00:01.000Z", e!.Message);
    }

    [Fact]
    public void A_past_retention_protects_nothing_and_a_legal_hold_protects_whatever_the_dates()
    {
        var past = new ObjectMetadata { Retention = Compliance with { RetainUntil = Now } };
        Assert.False(ObjectLockRules.Blocks(past, Now));
        ObjectLockRules.CheckDelete(past, Now, bypassGovernance: false);
        var held = past with { LegalHold = true };
        Assert.True(ObjectLockRules.Blocks(held, Now));
        Assert.Throws<StorageException>(() => ObjectLockRules.CheckDelete(held, Now, bypassGovernance: true));
    }

    [Fact]
    public void Retention_may_be_lengthened_but_not_shortened_removed_or_changed_without_the_bypass_and_compliance_never()
    {
        ObjectLockRules.CheckRetentionChange(Governance, Governance with { RetainUntil = Now.AddDays(2) }, Now, false);
        ObjectLockRules.CheckRetentionChange(Compliance, Compliance with { RetainUntil = Now.AddDays(2) }, Now, false);
        foreach (var weaker in new ObjectRetention?[] { null, Governance with { RetainUntil = Now.AddHours(1) }, Compliance })
        {
            Assert.Throws<StorageException>(() => ObjectLockRules.CheckRetentionChange(Governance, weaker, Now, false));
            ObjectLockRules.CheckRetentionChange(Governance, weaker, Now, true);
        }
        foreach (var weaker in new ObjectRetention?[] { null, Compliance with { RetainUntil = Now.AddHours(1) }, Governance with { RetainUntil = Now.AddDays(9) } })
            Assert.Throws<StorageException>(() => ObjectLockRules.CheckRetentionChange(Compliance, weaker, Now, true));
        // Once past, a retention no longer binds.
        ObjectLockRules.CheckRetentionChange(Compliance with { RetainUntil = Now.AddSeconds(-1) }, null, Now, false);
    }

    [Theory]
    [InlineData("<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>", null)]
    [InlineData("<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Years>100</Years></DefaultRetention></Rule></ObjectLockConfiguration>", null)]
    [InlineData("<ObjectLockConfiguration><ObjectLockEnabled>Disabled</ObjectLockEnabled></ObjectLockConfiguration>", "MalformedXML")]
    [InlineData("<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule/></ObjectLockConfiguration>", "MalformedXML")]
    [InlineData("<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode></DefaultRetention></Rule></ObjectLockConfiguration>", "MalformedXML")]
    [InlineData("<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>x</Days></DefaultRetention></Rule></ObjectLockConfiguration>", "MalformedXML")]
    [InlineData("<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>36501</Days></DefaultRetention></Rule></ObjectLockConfiguration>", "InvalidRetentionPeriod")]
    [InlineData("<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Years>-1</Years></DefaultRetention></Rule></ObjectLockConfiguration>", "InvalidRetentionPeriod")]
    public void Configurations_are_read_as_S3_validates_them_and_kept_as_they_were_read(string xml, string? refusal)
    {
        var e = Record.Exception(() => ObjectLockXml.ConfigurationFrom(XElement.Parse(xml)));
        if (refusal is not null)
        {
            Assert.Equal(refusal, Assert.IsType<S3Exception>(e).Error.Code);
            return;
        }
        Assert.Null(e);
        var configuration = ObjectLockXml.ConfigurationFrom(XElement.Parse(xml));
        Assert.Equal(configuration, ObjectLockConfiguration.FromText(configuration.ToText()));
    }

    [Fact]
    public void A_default_retention_runs_from_the_write()
    {
        Assert.Equal(Now.AddDays(30), new DefaultRetention(RetentionModes.Governance, 30, null).From(Now).RetainUntil);
        Assert.Equal(Now.AddYears(2), new DefaultRetention(RetentionModes.Compliance, null, 2).From(Now).RetainUntil);
    }
}
