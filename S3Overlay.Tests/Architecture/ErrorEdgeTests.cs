using System.Text.RegularExpressions;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Architecture;

/// <summary>
/// A store's failure becomes an S3 error once, where an answer is written
/// (S3Overlay.Proxy/S3/Errors/StorageErrors.cs): everything before that decides by the store's own
/// <c>StorageFault</c>, so no handler branches on what a fault will be called, and changing a
/// fault's S3 error changes one table. Found by reading the proxy's source for a use of the mapping.
/// </summary>
[UnitTests]
public sealed partial class ErrorEdgeTests
{
    /// <summary>The files that may turn a failure into its S3 error, each an answer to a client.</summary>
    private static readonly Dictionary<string, string> Edge = new(StringComparer.Ordinal)
    {
        ["S3/Errors/StorageErrors.cs"] = "the table itself",
        ["S3/S3Endpoint.cs"] = "the S3 endpoint's answer to every request that failed",
        ["S3/Handlers/S3Handlers.DeleteObjects.cs"] = "each key's Error entry, an answer written inside DeleteResult",
        ["Browser/FileBrowser.cs"] = "the browser's page that tells a visitor the failure's status and message",
    };

    // The mapping's type named, or its calls by name (a `using static` would drop the type).
    [GeneratedRegex(@"\bStorageErrors\s*\.\s*\w|\b(?:AsS3|ToS3)\s*\(")]
    private static partial Regex MappingUse();

    // A comment to the end of its line (a `//` inside "http://..." follows a colon, not a space).
    [GeneratedRegex(@"(?:^|\s)//.*$", RegexOptions.Multiline)]
    private static partial Regex LineComment();

    [Fact]
    public void Storage_errors_are_mapped_to_S3_errors_only_at_the_edge()
    {
        var outside = ProxyTree.SourceFiles().Where(f => !Edge.ContainsKey(f) && UsesMapping(Read(f))).ToList();
        Assert.True(outside.Count == 0,
            "mapped to an S3 error outside the edge (decide by StorageException.Fault instead): " + string.Join(", ", outside));
    }

    [Fact]
    public void Every_file_of_the_edge_still_maps()
    {
        Assert.Equal([], Edge.Keys.Where(f => !File.Exists(Path.Combine(ProxyTree.Root, f)) || !UsesMapping(Read(f))));
    }

    [Theory]
    [InlineData("catch (Exception caught) when (caught.AsS3() is { } e && e.Error.Code == S3Error.NoSuchKey.Code)", true)]
    [InlineData("var error = StorageErrors.ToS3(e).Error;", true)]
    [InlineData("var status = S3.Errors.StorageErrors.Of(fault).Status;", true)]
    [InlineData("using static S3Overlay.S3.Errors.StorageErrors;\nvar s3 = AsS3(caught);", true)]
    [InlineData("catch (StorageException e) when (e.Fault == StorageFault.ObjectNotFound)", false)]
    [InlineData("/// the edge maps it (S3/Errors/StorageErrors.cs: the one table)", false)]
    [InlineData("return x; // not AsS3() here: the edge does it", false)]
    public void A_use_of_the_mapping_is_found_and_a_mention_in_a_comment_is_not(string source, bool found)
    {
        Assert.Equal(found, UsesMapping(source));
    }

    private static bool UsesMapping(string source) => MappingUse().IsMatch(LineComment().Replace(source, ""));

    private static string Read(string file) => File.ReadAllText(Path.Combine(ProxyTree.Root, file));
}
