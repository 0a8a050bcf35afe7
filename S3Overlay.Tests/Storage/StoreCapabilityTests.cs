using System.Reflection;
using S3Overlay.Storage;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Storage;

/// <summary>
/// A store that wraps a store keeps what the wrapped store can do beyond the seam: taking a
/// fill's staged file by a rename (<see cref="IStagingStore"/>), without which every fill is
/// written twice. Each wrapper either can, or says here why it need not; a new wrapper that
/// does neither fails instead of silently costing every fill a copy.
/// </summary>
[UnitTests]
public class StoreCapabilityTests
{
    /// <summary>Wrappers that never stand between a fill and the store it stages into, and why.</summary>
    private static readonly Dictionary<string, string> WithoutStaging = new()
    {
        ["OverlayObjectStore"] = "the overlay itself: its fills stage into the local store beneath it",
        ["HiddenObjectsStore"] = "registered over the overlay, above where fills write",
        ["NotifyingObjectStore"] = "registered over every other layer, the overlay included, above where fills write (fills raise no events)",
        ["EncryptedObjectStore"] = "chosen only over a store without staging; over one with it, EncryptedStagingStore stands",
    };

    [Fact]
    public void Every_store_that_wraps_a_store_takes_staged_files_or_says_why_not()
    {
        var wrappers = typeof(IObjectStore).Assembly.GetTypes()
            .Where(t => typeof(IObjectStore).IsAssignableFrom(t) && !t.IsAbstract && !t.IsInterface)
            .Where(t => t.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
                .Any(c => c.GetParameters().Any(p => p.ParameterType == typeof(IObjectStore))))
            .ToList();
        Assert.Empty(wrappers.Where(t => !typeof(IStagingStore).IsAssignableFrom(t) && !WithoutStaging.ContainsKey(t.Name)).Select(t => t.FullName));
        // Every excuse names a wrapper without staging: a stale one would excuse a later store of that name.
        Assert.Empty(WithoutStaging.Keys.Except(wrappers.Where(t => !typeof(IStagingStore).IsAssignableFrom(t)).Select(t => t.Name)));
    }
}
