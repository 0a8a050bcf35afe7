using S3Overlay.Storage;

namespace S3Overlay.Tests.Storage;

public abstract partial class ObjectStoreContract
{
    /// <summary>1,500 keys (more than one page of 1,000), flat and nested, some of whose names sort around the folder separator.</summary>
    private static List<string> ManyKeys() => Enumerable.Range(0, 1500).Select(i => (i % 4) switch
    {
        0 => $"f{i:0000}",
        1 => $"d{i % 10}/f{i:0000}",
        2 => $"d{i % 10}/s{i % 3}/f{i:0000}",
        _ => $"d{i % 10}-{i:0000}",
    }).ToList();

    private async Task PutManyAsync(IEnumerable<string> keys) =>
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (key, _) => await PutAsync(key, [(byte)key.Length]));

    /// <summary>What a delimited listing must give, computed from the keys alone.</summary>
    private static List<string> RolledUp(IEnumerable<string> keys, string prefix, string delimiter) =>
        ByUtf8(keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Select(k =>
        {
            var at = k.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
            return at < 0 ? k : k[..(at + delimiter.Length)];
        }).Distinct());

    [Fact]
    public async Task Listing_1500_keys_page_by_page_with_and_without_a_delimiter_gives_each_once_in_order()
    {
        Requires(ListsFolderSiblingsInOrder, nameof(ListsFolderSiblingsInOrder));
        var keys = ManyKeys();
        await PutManyAsync(keys);

        Assert.Equal(ByUtf8(keys), await ListAllAsync(new ListRequest()));            // pages of 1,000
        Assert.Equal(ByUtf8(keys), await ListAllAsync(new ListRequest(MaxKeys: 333)));

        var firstPage = await Store.ListObjectsAsync(Bucket, new ListRequest(), None);
        Assert.True(firstPage.IsTruncated);
        Assert.Equal(1000, firstPage.Objects.Count);
        Assert.All(firstPage.Objects, o => Assert.Equal(1, o.Size));
        Assert.All(firstPage.Objects, o => Assert.StartsWith("\"", o.ETag));

        foreach (var prefix in new[] { "d3/", "d3", "d3/s1/", "f1", "nothing" })
            Assert.Equal(ByUtf8(keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))),
                await ListAllAsync(new ListRequest(prefix, MaxKeys: 47)));

        // The same keys again with delimiter '/' (one set of keys: writing 1,500 objects is the slow part).
        foreach (var (prefix, pageSize) in new[] { ("", 1000), ("", 7), ("d3/", 1000), ("d3/", 11), ("d3", 5), ("d3/s", 2), ("f", 1000) })
        {
            var expected = RolledUp(keys, prefix, "/");
            Assert.Equal(expected, await ListAllAsync(new ListRequest(prefix, "/", MaxKeys: pageSize)));
        }

        var top = await Store.ListObjectsAsync(Bucket, new ListRequest(Delimiter: "/"), None);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"d{i}/"), top.CommonPrefixes);
    }

    [Fact]
    public async Task Listing_with_another_delimiter_rolls_up_on_it()
    {
        var keys = new[] { "x-1", "x-2/a", "x", "y-z-w", "y/z", "zz" };
        await PutManyAsync(keys);
        Assert.Equal(RolledUp(keys, "", "-"), await ListAllAsync(new ListRequest(Delimiter: "-", MaxKeys: 2)));
        Assert.Equal(RolledUp(keys, "y", "-"), await ListAllAsync(new ListRequest("y", "-")));
    }

    [Fact]
    public async Task Keys_sort_by_utf8_bytes_across_folders()
    {
        Requires(ListsFolderSiblingsInOrder, nameof(ListsFolderSiblingsInOrder));
        var keys = new List<string> { "a-b", "a.b", "a/b", "a/c/d", "a0", "ab", "b", "\uFF21", "😀", "é" };
        if (HoldsKeyAndKeysBelowIt) keys.Add("a");
        await PutManyAsync(keys);

        var expected = new List<string> { "a-b", "a.b", "a/b", "a/c/d", "a0", "ab", "b", "é", "\uFF21", "😀" };
        if (HoldsKeyAndKeysBelowIt) expected.Insert(0, "a");
        Assert.Equal(expected, await ListAllAsync(new ListRequest()));
        Assert.Equal(expected, await ListAllAsync(new ListRequest(MaxKeys: 1)));

        var rolled = expected.Where(k => !k.StartsWith("a/")).ToList();
        rolled.Insert(rolled.IndexOf("a0"), "a/");
        Assert.Equal(rolled, await ListAllAsync(new ListRequest(Delimiter: "/")));
        Assert.Equal(rolled, await ListAllAsync(new ListRequest(Delimiter: "/", MaxKeys: 1)));
    }

    [Fact]
    public async Task StartAfter_skips_keys_and_common_prefixes_at_or_before_it()
    {
        await PutManyAsync(["a/1", "a/2", "b", "c/1", "c/2", "d"]);
        Assert.Equal(["a/2", "b", "c/1", "c/2", "d"], await ListAllAsync(new ListRequest(StartAfter: "a/1")));
        Assert.Equal(["c/1", "c/2", "d"], await ListAllAsync(new ListRequest(StartAfter: "b")));
        Assert.Equal(["c/", "d"], await ListAllAsync(new ListRequest(Delimiter: "/", StartAfter: "b")));
        Assert.Equal(["d"], await ListAllAsync(new ListRequest(Delimiter: "/", StartAfter: "c/")));
        Assert.Equal(["b", "c/", "d"], await ListAllAsync(new ListRequest(Delimiter: "/", StartAfter: "a/")));
        Assert.Empty(await ListAllAsync(new ListRequest(StartAfter: "d")));
        Assert.Equal(["c/2"], await ListAllAsync(new ListRequest("c/", StartAfter: "c/1")));
    }

    [Fact]
    public async Task MaxKeys_counts_keys_and_prefixes_together()
    {
        await PutManyAsync(["a/1", "b", "c/1", "d"]);
        var page = await Store.ListObjectsAsync(Bucket, new ListRequest(Delimiter: "/", MaxKeys: 3), None);
        Assert.Equal(["a/", "c/"], page.CommonPrefixes);
        Assert.Equal(["b"], page.Objects.Select(o => o.Key));
        Assert.True(page.IsTruncated);
        Assert.Equal("c/", page.NextStartAfter);

        var last = await Store.ListObjectsAsync(Bucket, new ListRequest(Delimiter: "/", MaxKeys: 1, StartAfter: "c/"), None);
        Assert.Equal(["d"], last.Objects.Select(o => o.Key));
        Assert.False(last.IsTruncated);
        Assert.Null(last.NextStartAfter);
    }
}
