using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Architecture;

/// <summary>
/// The proxy keeps its state in instances the container makes (one per proxy, so two in one
/// process, a test's, never share it): a static field that can change, or a static collection
/// made to be added to, is state in the wrong place. Found by reflection over the proxy's types.
/// </summary>
[UnitTests]
public sealed class StaticStateTests
{
    /// <summary>
    /// What may stay static, each a fact of the process rather than of one proxy: what the kernel
    /// can do (learned once, the same for all), a counter that makes request ids unique in the
    /// process, per-thread scratch hashes, and names built from a fixed list of operations.
    /// </summary>
    private static readonly HashSet<string> ProcessFacts =
    [
        "S3Overlay.Storage.FileSystem.ConfinedFolder._noOpenat2",
        "S3Overlay.Storage.FileSystem.FileVersion+Statx._unavailable",
        "S3Overlay.S3.RequestIds._counter",
        "S3Overlay.Signing.SignatureHashes.t_sha256",
        "S3Overlay.Signing.SignatureHashes.t_hmac",
        "S3Overlay.Signing.SignatureHashes.t_hmacKey",
        "S3Overlay.Telemetry.RequestSpan.DisplayNames",
    ];

    /// <summary>Collections whose point is to be changed after they are made.</summary>
    private static readonly Type[] Growing = [typeof(ConcurrentDictionary<,>), typeof(ConditionalWeakTable<,>), typeof(ConcurrentQueue<>), typeof(ConcurrentBag<>)];

    [Fact]
    public void The_proxy_keeps_no_static_state_but_the_process_facts()
    {
        var found = StaticState().ToList();
        Assert.True(found.Count == 0, "static state: " + string.Join(", ", found));
    }

    [Fact]
    public void Every_process_fact_listed_is_still_there()
    {
        var fields = typeof(S3Overlay.Overlay.OverlayObjectStore).Assembly.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(f => f.DeclaringType!.FullName + "." + f.Name).ToHashSet();
        Assert.Equal([], ProcessFacts.Except(fields));
    }

    private static IEnumerable<string> StaticState()
    {
        foreach (var type in typeof(S3Overlay.Overlay.OverlayObjectStore).Assembly.GetTypes())
        {
            if (Generated(type)) continue;
            foreach (var field in type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.IsLiteral || Generated(field)) continue;
                var changes = !field.IsInitOnly
                    || field.FieldType.IsGenericType && Growing.Contains(field.FieldType.GetGenericTypeDefinition());
                var name = type.FullName + "." + field.Name;
                if (changes && !ProcessFacts.Contains(name)) yield return name;
            }
        }
    }

    /// <summary>The compiler's and the source generators' own (lambda caches, JSON contexts, generated regexes, bound endpoints).</summary>
    private static bool Generated(MemberInfo member) =>
        member.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false)
        || member.IsDefined(typeof(System.CodeDom.Compiler.GeneratedCodeAttribute), inherit: false)
        || member is Type { DeclaringType: { } outer } && Generated(outer);
}
