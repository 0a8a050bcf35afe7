using Xunit.Sdk;
using Xunit.v3;

namespace S3Overlay.AppHost.Tests;

/// <summary>Runs a class's tests in name order, its teardown test last: that one stops the shared app.</summary>
public sealed class TeardownLast : ITestCaseOrderer
{
    public IReadOnlyCollection<TTestCase> OrderTestCases<TTestCase>(IReadOnlyCollection<TTestCase> testCases) where TTestCase : notnull, ITestCase =>
        [.. testCases.OrderBy(t => t.TestMethodName?.StartsWith("Teardown", StringComparison.Ordinal) == true).ThenBy(t => t.TestMethodName, StringComparer.Ordinal)];
}
