using Xunit.v3;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// The kinds of tests, as the trait <c>Kind</c>, so a run can pick them
/// (<c>./test.sh --filter "Kind=Unit|Kind=Functional"</c>; <c>./test.sh --fast</c> says the same).
/// Every test class names its kind (<c>TestKindTests</c> fails on one that does not).
/// </summary>
public static class TestKind
{
    public const string Trait = "Kind";

    /// <summary>In the test's own process: no server, no socket, no client program.</summary>
    public const string Unit = "Unit";

    /// <summary>Real servers over loopback HTTP (the proxy, the embedded store, s3rver, Ceph RGW), driven by the AWS SDK or raw HTTP.</summary>
    public const string Functional = "Functional";

    /// <summary>Programs nobody here wrote as the clients: the aws CLI, boto3, rclone, s3cmd, restic, Ruby, Go, Node, Chromium, ceph/s3-tests.</summary>
    public const string Conformance = "Conformance";

    /// <summary>Kills, faults, fuzzing and soaks: what must hold when things go wrong (a crash test beside its subject too).</summary>
    public const string Reliability = "Reliability";
}

/// <summary>Tests in the test's own process (<see cref="TestKind.Unit"/>).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class UnitTestsAttribute : Attribute, ITraitAttribute
{
    public IReadOnlyCollection<KeyValuePair<string, string>> GetTraits() => [new(TestKind.Trait, TestKind.Unit)];
}

/// <summary>Tests of real servers over loopback (<see cref="TestKind.Functional"/>).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class FunctionalTestsAttribute : Attribute, ITraitAttribute
{
    public IReadOnlyCollection<KeyValuePair<string, string>> GetTraits() => [new(TestKind.Trait, TestKind.Functional)];
}

/// <summary>Tests with real client programs (<see cref="TestKind.Conformance"/>).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ConformanceTestsAttribute : Attribute, ITraitAttribute
{
    public IReadOnlyCollection<KeyValuePair<string, string>> GetTraits() => [new(TestKind.Trait, TestKind.Conformance)];
}

/// <summary>Kills, faults, fuzzing, soaks (<see cref="TestKind.Reliability"/>).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ReliabilityTestsAttribute : Attribute, ITraitAttribute
{
    public IReadOnlyCollection<KeyValuePair<string, string>> GetTraits() => [new(TestKind.Trait, TestKind.Reliability)];
}
