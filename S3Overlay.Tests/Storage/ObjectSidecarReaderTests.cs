using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using S3Overlay.Storage;
using S3Overlay.Storage.FileSystem;
using S3Overlay.Storage.ObjectLock;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Storage;

/// <summary>
/// The hand-written sidecar reader (the listing index's rows) answers what the generated reader
/// answers, for every property the records have; what it does not know goes to the generated one.
/// </summary>
[UnitTests]
public class ObjectSidecarReaderTests
{
    private static readonly DateTimeOffset Written = new(2026, 11, 28, 19, 31, 55, 123, TimeSpan.Zero);

    /// <summary>Every property of the sidecar and its metadata set (the test below holds it to that).</summary>
    private static ObjectSidecar Full() => new()
    {
        Key = "photos/2026/ünïcode \"quoted\" key",
        Size = 5_368_709_120,
        FileTicks = 639_314_879_551_700_410,
        FileInode = ulong.MaxValue - 1,
        ETag = "\"7265f4d211b56873a381d321f586e4a9-3\"",
        LastModified = Written.ToOffset(TimeSpan.FromHours(2)),
        VersionId = "3sL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY",
        DeleteMarker = true,
        Sequence = 42,
        Unflushed = new Unflushed("6c1d5f0e-0c1f-4c55-9a57-2b4b2d3f6e71", "7265f4d211b56873a381d321f586e4a9"),
        Previous = Minimal() with { Key = "previous" },
        Metadata = new ObjectMetadata
        {
            ContentType = "image/jpeg",
            ContentEncoding = "gzip",
            ContentDisposition = "attachment; filename=\"a.jpg\"",
            ContentLanguage = "fr",
            CacheControl = "max-age=60",
            Expires = "Thu, 01 Dec 2033 16:00:00 GMT",
            UserMetadata = new Dictionary<string, string> { ["camera"] = "Nikon", ["note"] = "é\u0000\n" },
            Checksums = new Dictionary<string, string> { ["crc32"] = "AAAAAA==-3" },
            Tags = new Dictionary<string, string> { ["team"] = "a", ["empty"] = "" },
            ChecksumAlgorithm = "crc32",
            ChecksumType = "COMPOSITE",
            Parts = [new ObjectPart(1, 5_242_880, new Dictionary<string, string> { ["crc32"] = "AAAAAA==" }), new ObjectPart(2, 1, new Dictionary<string, string>())],
            Acl = "owner=abc;public-read",
            StorageClass = "REDUCED_REDUNDANCY",
            Retention = new ObjectRetention("COMPLIANCE", Written.AddYears(3)),
            LegalHold = true,
        },
    };

    private static ObjectSidecar Minimal() => new() { Key = "k/0050000", Size = 1024, FileTicks = 1, ETag = "\"e\"", LastModified = Written };

    private static byte[] Json(ObjectSidecar sidecar) => JsonSerializer.SerializeToUtf8Bytes(sidecar, StoreJson.Default.ObjectSidecar);

    /// <summary>Records hold maps by reference: two readings are compared as the store writes them.</summary>
    private static string Stored(ObjectSidecar? sidecar) => sidecar is null ? "null" : Encoding.UTF8.GetString(Json(sidecar));

    [Fact]
    public void The_full_sample_sets_every_property_the_records_have()
    {
        var json = Encoding.UTF8.GetString(Json(Full()));
        static bool Kept(System.Text.Json.Serialization.Metadata.JsonPropertyInfo p) =>
            p.DeclaringType.GetProperty(p.Name, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase)
                ?.GetCustomAttributes(typeof(JsonIgnoreAttribute), false) is not [JsonIgnoreAttribute { Condition: JsonIgnoreCondition.Always }];
        var stored = StoreJson.Default.ObjectSidecar.Properties.Concat(StoreJson.Default.ObjectMetadata.Properties).Where(Kept);
        foreach (var property in stored)
            Assert.True(json.Contains($"\"{property.Name}\":"), $"The sample leaves out {property.Name}: set it, and teach ObjectSidecarReader to read it.");
    }

    [Fact]
    public void Every_property_is_read_by_hand_as_the_generated_reader_reads_it()
    {
        var json = Json(Full());
        var byHand = ObjectSidecarReader.TryReadFast(json);
        Assert.NotNull(byHand); // not handed over: the reader knows every property
        Assert.Equal(Stored(JsonSerializer.Deserialize(json, StoreJson.Default.ObjectSidecar)), Stored(byHand));
        Assert.Equal(Stored(Full()), Stored(byHand));
        Assert.Equal(Full().LastModified, byHand.LastModified);
        Assert.Equal("Nikon", byHand.Metadata.UserMetadata["camera"]);
    }

    [Fact]
    public void A_row_as_the_index_keeps_it_reads_with_empty_maps()
    {
        var row = Minimal();
        var byHand = ObjectSidecarReader.TryReadFast(Json(row));
        Assert.NotNull(byHand);
        Assert.Equal(Stored(row), Stored(byHand));
        Assert.Empty(byHand.Metadata.UserMetadata);
        Assert.Null(byHand.FileInode);
    }

    [Theory]
    [InlineData("""{"key":"k","size":1,"fileTicks":1,"eTag":"e","lastModified":"2026-11-28T19:31:55Z","addedLater":[1,{"a":2}]}""")]
    [InlineData("""{"key":"k","size":1,"fileTicks":1,"eTag":"e","lastModified":"2026-11-28T19:31:55Z","metadata":{"addedLater":true}}""")]
    [InlineData("""{"key":"k","size":"1","fileTicks":1,"eTag":"e","lastModified":"2026-11-28T19:31:55Z"}""")]
    public void What_the_reader_does_not_know_is_read_by_the_generated_reader(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        Assert.Null(ObjectSidecarReader.TryReadFast(bytes));
        string Generated() => Stored(JsonSerializer.Deserialize(bytes, StoreJson.Default.ObjectSidecar));
        string ByHand() => Stored(ObjectSidecarReader.Read(bytes));
        var generated = Record.Exception(Generated);
        if (generated is null) Assert.Equal(Generated(), ByHand());
        else Assert.IsType(generated.GetType(), Record.Exception(ByHand));
    }

    [Theory]
    [InlineData("{}")] // required properties missing
    [InlineData("[]")]
    [InlineData("""{"key":"k","size":1,"fileTicks":1,"eTag":"e","lastModified":"2026-11-28T19:31:55Z"} {}""")]
    [InlineData("""{"key":"k","size":1,"fileTicks":1,"eTag":"e","lastModified":"2026-11-28T19:""")]
    public void What_is_no_sidecar_throws_as_the_generated_reader_throws(string json) =>
        Assert.Throws<JsonException>(() => ObjectSidecarReader.Read(Encoding.UTF8.GetBytes(json)));
}
