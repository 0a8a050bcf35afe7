using System.Reflection;
using S3Overlay.Storage;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Architecture;

/// <summary>
/// A layer of the seam (a store over another store: hidden names, encryption) answers every
/// member of <see cref="IObjectStore"/> itself or by forwarding it (<see cref="ForwardingStore"/>):
/// none is left to the interface's default, which would answer as a store without versions or
/// Object Lock while the store beneath keeps them.
/// </summary>
[UnitTests]
public sealed class StoreLayerTests
{
    /// <summary>The members of the seam <paramref name="store"/> leaves to the interface's defaults.</summary>
    private static List<string> LeftToDefaults(Type store) =>
        [.. new[] { typeof(IObjectStore), typeof(IReadOnlyStore) }.Where(i => i.IsAssignableFrom(store)).SelectMany(i =>
        {
            var map = store.GetInterfaceMap(i);
            return map.TargetMethods.Where(m => m.DeclaringType!.IsInterface).Select(m => $"{m.Name}({string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name))})");
        })];

    /// <summary>A layer: a store of the proxy that derives from the forwarding base or is built over another store.</summary>
    private static bool IsLayer(Type type) =>
        type is { IsClass: true, IsAbstract: false } && typeof(IObjectStore).IsAssignableFrom(type)
        && (typeof(ForwardingStore).IsAssignableFrom(type)
            || type.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
                .Any(c => c.GetParameters().Any(p => p.ParameterType == typeof(IObjectStore))));

    [Fact]
    public void No_layer_of_the_seam_leaves_a_member_to_a_default()
    {
        var layers = typeof(IObjectStore).Assembly.GetTypes().Where(IsLayer).ToList();
        Assert.Contains(typeof(S3Overlay.Storage.Hidden.HiddenObjectsStore), layers);
        Assert.Contains(typeof(S3Overlay.Storage.Encryption.EncryptedObjectStore), layers);
        var dropped = layers.SelectMany(l => LeftToDefaults(l).Select(m => $"{l.Name} leaves {m} to the interface's default")).ToList();
        Assert.True(dropped.Count == 0,
            "Derive the layer from ForwardingStore (Storage/ForwardingStore.cs), which forwards every member, and override what it changes:\n" + string.Join('\n', dropped));
    }

    [Fact]
    public void The_check_sees_a_store_that_leaves_members_to_defaults()
    {
        // A store of its own, not a layer: the test suite's in-memory store keeps no versions and
        // leaves them to the defaults, which is what the check above must see in a layer.
        Assert.Contains(LeftToDefaults(typeof(InMemoryObjectStore)), m => m.StartsWith("GetBucketVersioningAsync(", StringComparison.Ordinal));
        Assert.Empty(LeftToDefaults(typeof(ForwardingStore)));
    }
}
