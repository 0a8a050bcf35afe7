using System.Reflection;
using Xunit.Sdk;
using Xunit.v3;

[assembly: TestCollectionOrderer(typeof(S3Overlay.Tests.Infrastructure.StartsFirstOrderer))]

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// A test class whose run takes half a minute or more on two busy cores: it starts before the
/// others (<see cref="StartsFirstOrderer"/>). The suite keeps both cores busy from its start, so
/// its length is its CPU shared out, plus whatever ran alone at its end: xUnit orders classes at
/// random, and a fresh clone whose ceph/s3-tests class (140 s) happened to start at 5:36 of the
/// test phase ended at 8:11 waiting for it, one where it started at 2:02 at 7:56 (28 Nov).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class StartsFirstAttribute : Attribute;

/// <summary>
/// Starts the classes marked <see cref="StartsFirstAttribute"/> first, the rest in xUnit's own
/// (random) order after them, and runs a marked class's static constructor as it orders them: a
/// class whose tests read the results of one long run starts that run there. xUnit's conservative
/// algorithm hands its threads out a test at a time, round the collections, so the order says only
/// who asks first: ceph/s3-tests' class still began at 0:40, 0:00 and 5:51 of three runs' test phases.
/// Classes that share a named collection are ordered by the collection.
/// </summary>
public sealed class StartsFirstOrderer : ITestCollectionOrderer
{
    // xUnit names a class's own collection after the class ("Test collection for S3Overlay.Tests.X").
    private const string ClassCollection = "Test collection for ";

    public IReadOnlyCollection<TTestCollection> OrderTestCollections<TTestCollection>(IReadOnlyCollection<TTestCollection> testCollections)
        where TTestCollection : ITestCollection =>
        DefaultTestCollectionOrderer.Instance.OrderTestCollections(testCollections)
            .OrderBy(c => Marks(c) ? 0 : 1) // stable: the random order holds within each part
            .ToList();

    /// <summary>Whether the collection is the own collection of a class marked <see cref="StartsFirstAttribute"/>.</summary>
    public static bool Marks(ITestCollection collection)
    {
        var name = collection.TestCollectionDisplayName;
        if (!name.StartsWith(ClassCollection, StringComparison.Ordinal)) return false;
        // "Test collection for S3Overlay.Tests.X (id: 3f2a…)"
        var className = name[ClassCollection.Length..].Split(' ')[0];
        var type = typeof(StartsFirstOrderer).Assembly.GetType(className)
            ?? throw new InvalidOperationException($"no test class {className} for the collection \"{name}\": has xUnit changed how it names a class's collection?");
        if (type.GetCustomAttribute<StartsFirstAttribute>() is null) return false;
        System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(type.TypeHandle);
        return true;
    }
}
