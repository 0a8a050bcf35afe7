using System.Reflection;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>Every test class says which kind it is, once, so a run by kind misses none.</summary>
[UnitTests]
public sealed class TestKindTests
{
    [Fact]
    public void Every_test_class_names_exactly_one_kind()
    {
        var unnamed = TestClasses()
            .Select(type => (type, kinds: type.GetCustomAttributes(inherit: false).OfType<Xunit.v3.ITraitAttribute>()
                .SelectMany(a => a.GetTraits()).Count(t => t.Key == TestKind.Trait)))
            .Where(c => c.kinds != 1)
            .Select(c => $"{c.type.FullName}: {c.kinds} kinds")
            .ToList();
        Assert.True(unnamed.Count == 0, "Name the kind of each ([UnitTests], [FunctionalTests], [ConformanceTests] or [ReliabilityTests]):\n" + string.Join('\n', unnamed));
    }

    /// <summary>Classes xunit runs: concrete, with a test method of their own or inherited.</summary>
    private static IEnumerable<Type> TestClasses() =>
        typeof(TestKindTests).Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false }
            && t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
                .Any(m => m.GetCustomAttributes(inherit: true).OfType<FactAttribute>().Any()));
}
