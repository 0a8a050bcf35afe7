using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Architecture;

/// <summary>
/// Every arrow between rooms points the one way docs/architecture.md's table allows: each file's
/// uses of other rooms (<see cref="SourceUses"/>) against the room table (<see cref="RoomTable"/>),
/// which itself has no cycle and names every room. The picture of the rooms in the same page is
/// what the code's arrows draw.
/// </summary>
[UnitTests]
public sealed class RoomDependencyTests
{
    private static readonly RoomTable Table = RoomTable.Read();

    /// <summary>Each use of another room: the file, its room, the room it uses and the name that does.</summary>
    private static List<(string File, string From, string To, string Name)> Arrows()
    {
        var uses = SourceUses.OfTheProxy();
        var arrows = new List<(string, string, string, string)>();
        foreach (var file in ProxyTree.SourceFiles())
        {
            var from = Table.RoomOf(Path.GetDirectoryName(file)!.Replace(Path.DirectorySeparatorChar, '/'));
            foreach (var (ns, name) in uses.In(File.ReadAllText(Path.Combine(ProxyTree.Root, file))))
                if (Table.RoomOfNamespace(ns) is var to && to != from) arrows.Add((file, from, to, name));
        }
        return arrows;
    }

    [Fact]
    public void The_table_names_every_room_of_the_code_and_no_other()
    {
        var rooms = ProxyTree.Rooms().Append(ProxyTree.RootRoom).ToHashSet(StringComparer.Ordinal);
        var unnamed = rooms.Where(r => !Table.MayUse.ContainsKey(r)).Order(StringComparer.Ordinal).ToList();
        Assert.True(unnamed.Count == 0, string.Join('\n', unnamed.Select(r =>
            $"S3Overlay.Proxy/{r}/ is a room the table in {RoomTable.Page} ({RoomTable.Markers}) does not name: add a row " +
            $"| `{r}` | the rooms it may use, in backticks (`Storage`, `Configuration`) |, and add `{r}` to the cells of the rooms that may use it " +
            "(a room may use only rooms below it: the table must stay free of cycles)")));
        var folders = ProxyTree.Folders();
        var gone = Table.MayUse.Keys.Where(r => r != ProxyTree.RootRoom && !folders.Contains(r)).ToList();
        Assert.True(gone.Count == 0, $"The table in {RoomTable.Page} names rooms that are no folder of S3Overlay.Proxy: {string.Join(", ", gone)}; remove their rows");
        var strangers = Table.MayUse.SelectMany(r => r.Value.Where(u => !Table.MayUse.ContainsKey(u)).Select(u => $"{r.Key} may use `{u}`, which has no row")).ToList();
        Assert.True(strangers.Count == 0, string.Join('\n', strangers));
    }

    [Fact]
    public void The_table_allows_no_cycle() =>
        Assert.True(Table.Cycle() is null, $"The table in {RoomTable.Page} lets rooms use each other in a circle: {Table.Cycle()}. Pick one direction.");

    [Fact]
    public void Every_arrow_in_the_code_is_one_the_table_allows()
    {
        var wrong = Arrows().Where(a => Table.MayUse.TryGetValue(a.From, out var allowed) && !allowed.Contains(a.To))
            .Select(a => $"S3Overlay.Proxy/{a.File}: {a.From} → {a.To} ({a.Name})").Distinct().ToList();
        Assert.True(wrong.Count == 0,
            $"Arrows the table in {RoomTable.Page} does not allow. Move what both sides need to the lower room, or hand the lower one " +
            "a small type or a figure of its own, or (when the direction is the right one) add the room to the row's cell and keep the table free of cycles:\n" +
            string.Join('\n', wrong));
    }

    [Fact]
    public void The_picture_of_the_rooms_is_drawn_from_the_code()
    {
        var expected = RoomTable.Diagram(Arrows().Select(a => (a.From, a.To)));
        var page = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "architecture.md")).ReplaceLineEndings("\n");
        const string begin = "<!-- rooms-diagram:begin -->\n";
        var from = page.IndexOf(begin, StringComparison.Ordinal);
        var to = page.IndexOf("<!-- rooms-diagram:end -->", StringComparison.Ordinal);
        Assert.True(from >= 0 && to > from, $"{RoomTable.Page} has lost its <!-- rooms-diagram:begin/end --> comments; put them back with this between them:\n{expected}");
        Assert.True(page[(from + begin.Length)..to] == expected, $"{RoomTable.Page}'s picture of the rooms is not the code's; put this between <!-- rooms-diagram:begin/end -->:\n{expected}");
    }

    [Theory]
    [InlineData("S3Overlay.Storage.Hidden", "using S3Overlay.S3.Errors;", "S3Overlay.S3.Errors")]
    [InlineData("S3Overlay.Storage", "using Lock = S3Overlay.S3.ObjectLock;", "S3Overlay.S3.ObjectLock")]
    [InlineData("S3Overlay.Storage", "catch (global::S3Overlay.S3.Errors.S3Exception e)", "S3Overlay.S3.Errors")]
    [InlineData("S3Overlay.Storage.S3", "var o = services.IsService(typeof(S3Overlay.Overlay.OverlayObjectStore));", "S3Overlay.Overlay")]
    [InlineData("S3Overlay.Storage", "/// (<see cref=\"Overlay.Fleet.PeerMark\"/>).", "S3Overlay.Overlay.Fleet")]
    [InlineData("S3Overlay.Admin", "catch (S3.Errors.S3Exception e)", "S3Overlay.S3.Errors")]
    [InlineData("S3Overlay.Telemetry", "var fleet = Overlay.Fleet.FleetStatus.None;", "S3Overlay.Overlay.Fleet")]
    [InlineData("S3Overlay.Overlay.Fleet", "if (S3.Auth.AuthSettings.DefaultAccessKey == key)", "S3Overlay.S3.Auth")]
    public void The_reader_sees_each_way_of_naming_a_room(string ns, string line, string expected) =>
        Assert.Contains(expected, SourceUses.OfTheProxy().In($"namespace {ns};\n{line}").Select(u => u.Namespace));

    [Theory]
    [InlineData("S3Overlay.Storage.Hidden", "public bool IsEmpty => Buckets.Count == 0 && Prefixes.Count == 0;")]
    [InlineData("S3Overlay.Storage.Hidden", "var store = new S3.S3ObjectStore(options);")]
    [InlineData("S3Overlay.Storage", "/// the overlay's cache bucket (Overlay/LostLocal/).")]
    [InlineData("S3Overlay.Storage", "throw new StorageException(StorageFault.StoreFailed, key, message: \"The S3Overlay answered.\");")]
    [InlineData("S3Overlay.Telemetry", "/// what the overlay counts (Overlay/Fills/EarlyRemoteRead.cs)")]
    public void The_reader_passes_what_names_no_other_room(string ns, string line) =>
        Assert.DoesNotContain(SourceUses.OfTheProxy().In($"namespace {ns};\n{line}"), u => !u.Namespace.StartsWith(ns.Split('.')[0] + "." + ns.Split('.')[1], StringComparison.Ordinal));
}
