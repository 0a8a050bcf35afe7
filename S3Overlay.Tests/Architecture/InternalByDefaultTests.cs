using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Architecture;

/// <summary>
/// The proxy is an application, not a library: none of its types is public but its entry point, so what a type shows
/// of itself is a choice inside the program, never a promise to callers it does not have. The
/// tests see it all (InternalsVisibleTo).
/// </summary>
[UnitTests]
public sealed class InternalByDefaultTests
{
    [Fact]
    public void The_proxy_exports_its_entry_point_alone()
    {
        var exported = typeof(S3Overlay.Storage.IObjectStore).Assembly.GetExportedTypes().Select(t => t.FullName).Order(StringComparer.Ordinal);
        Assert.Equal(["Program"], exported);
    }
}
