namespace S3Overlay.Tests.Infrastructure;

/// <summary>The orderer knows a marked class by the collection xUnit really gives it, not by a name made up here.</summary>
[UnitTests]
[StartsFirst]
public sealed class StartsFirstOrdererTests
{
    [Fact]
    public void A_marked_class_is_known_by_its_collection() =>
        Assert.True(StartsFirstOrderer.Marks(TestContext.Current.TestCollection!), TestContext.Current.TestCollection!.TestCollectionDisplayName);
}

[UnitTests]
public sealed class StartsFirstOrdererUnmarkedTests
{
    [Fact]
    public void An_unmarked_class_is_not() =>
        Assert.False(StartsFirstOrderer.Marks(TestContext.Current.TestCollection!), TestContext.Current.TestCollection!.TestCollectionDisplayName);
}
