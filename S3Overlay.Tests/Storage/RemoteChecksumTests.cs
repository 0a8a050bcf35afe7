using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using S3Overlay.Storage.Checksums;
using S3Overlay.Storage;
using S3Overlay.Storage.S3;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Storage;

/// <summary>
/// The S3 store asks for the object's checksums (<c>x-amz-checksum-mode: ENABLED</c>) on a whole
/// GET and checks the body by the cheapest evidence that speaks for all of it: a full-object
/// checksum where the server gives one, else the MD5 its plain ETag is, else only the length.
/// A scripted server answers each case over loopback; a body whose ETag is its own MD5 but whose
/// checksum is another's is refused only by the checksum, which shows which evidence was used.
/// </summary>
[FunctionalTests]
public class RemoteChecksumTests
{
    private static readonly byte[] Original = PatternBody(300_000);

    private static byte[] PatternBody(int size) => Enumerable.Range(0, size).Select(i => (byte)(i * 7 + i / 251)).ToArray();

    private static S3ObjectStore StoreFor(string url) =>
        new(new S3StoreOptions("remote store", new Uri(url), AccessKey: "k", SecretKey: "s"));

    private static string Md5ETag(byte[] body) => $"\"{Convert.ToHexStringLower(MD5.HashData(body))}\"";

    private static byte[] Forged()
    {
        var body = (byte[])Original.Clone();
        body[150_000] ^= 0x5A;
        return body;
    }

    /// <summary>A server that sends <paramref name="body"/> with these headers, and notes whether the reader asked for checksums.</summary>
    private static Task<ScriptedServer> ServeAsync(byte[] body, string etag, IReadOnlyDictionary<string, string> headers, List<string?> checksumModes) =>
        ScriptedServer.StartAsync(async c =>
        {
            lock (checksumModes) checksumModes.Add(c.Request.Headers["x-amz-checksum-mode"].FirstOrDefault());
            c.Response.ContentLength = body.Length;
            c.Response.Headers.ETag = etag;
            foreach (var (name, value) in headers) c.Response.Headers[name] = value;
            if (c.Request.Method == "GET") await c.Response.Body.WriteAsync(body);
        });

    public static TheoryData<string, string?> FullObjectChecksums => new()
    {
        { "crc64nvme", "FULL_OBJECT" },
        { "crc32", "FULL_OBJECT" },
        { "crc32c", null }, // no type: a single-part object's checksum, as servers before checksum types answer
        { "sha1", null },
        { "sha256", "FULL_OBJECT" },
    };

    [Theory]
    [MemberData(nameof(FullObjectChecksums))]
    public async Task A_body_whose_ETag_is_its_own_MD5_but_whose_full_object_checksum_is_not_fails_the_read(string algorithm, string? type)
    {
        var checksum = ChecksumAlgorithm.Find(algorithm)!;
        var forged = Forged();
        var modes = new List<string?>();
        var headers = new Dictionary<string, string> { [checksum.HeaderName] = checksum.Compute(Original) };
        if (type is not null) headers["x-amz-checksum-type"] = type;
        await using var server = await ServeAsync(forged, Md5ETag(forged), headers, modes);
        using var store = StoreFor(server.Url);

        await using var content = await store.GetObjectAsync("bucket", "key", ObjectReadRequest.Whole, CancellationToken.None);
        var e = await Assert.ThrowsAsync<CorruptBodyException>(async () => await content.Body.CopyToAsync(Stream.Null));

        Assert.Contains(algorithm.ToUpperInvariant(), e.Message);
        Assert.Equal(algorithm, content.VerifiedBy);
        Assert.Equal(["ENABLED"], modes);
    }

    [Fact]
    public async Task A_clients_read_is_not_proven_by_the_MD5_but_still_by_a_full_object_checksum()
    {
        // What a client reads of the local store passes straight on, as from the server itself; a CRC costs next to nothing.
        var forged = Forged();
        await using (var server = await ServeAsync(forged, Md5ETag(Original), new Dictionary<string, string>(), []))
        using (var store = StoreFor(server.Url))
        {
            await using var content = await store.GetObjectAsync("bucket", "key", ObjectReadRequest.Whole.ForClient(), CancellationToken.None);
            await content.Body.CopyToAsync(Stream.Null);
            Assert.Null(content.VerifiedBy);
        }
        var crc = ChecksumAlgorithm.Crc64Nvme;
        await using (var server = await ServeAsync(forged, Md5ETag(Original), new Dictionary<string, string> { [crc.HeaderName] = crc.Compute(Original) }, []))
        using (var store = StoreFor(server.Url))
        {
            await using var content = await store.GetObjectAsync("bucket", "key", ObjectReadRequest.Whole.ForClient(), CancellationToken.None);
            await Assert.ThrowsAsync<CorruptBodyException>(async () => await content.Body.CopyToAsync(Stream.Null));
            Assert.Equal("crc64nvme", content.VerifiedBy);
        }
    }

    [Fact]
    public async Task The_checksum_is_the_evidence_the_whole_body_is_checked_by_and_it_describes_the_object()
    {
        var modes = new List<string?>();
        var crc = ChecksumAlgorithm.Crc64Nvme.Compute(Original);
        await using var server = await ServeAsync(Original, Md5ETag(Original),
            new Dictionary<string, string> { ["x-amz-checksum-crc64nvme"] = crc, ["x-amz-checksum-type"] = "FULL_OBJECT" }, modes);
        using var store = StoreFor(server.Url);

        await using (var content = await store.GetObjectAsync("bucket", "key", ObjectReadRequest.Whole, CancellationToken.None))
        {
            var copy = new MemoryStream();
            await content.Body.CopyToAsync(copy);
            Assert.Equal(Original, copy.ToArray());
            Assert.Equal("crc64nvme", content.VerifiedBy);
            Assert.Equal(crc, content.Info.Metadata.Checksums["crc64nvme"]);
        }
        Assert.Equal(crc, (await store.HeadObjectAsync("bucket", "key", ReadConditions.None, CancellationToken.None)).Metadata.Checksums["crc64nvme"]);

        // A range is checked by its length only, and checksums are not asked for (they describe the whole object).
        await using (var range = await store.GetObjectAsync("bucket", "key", new ObjectReadRequest(new ByteRange(0, 99), ReadConditions.None), CancellationToken.None))
            Assert.Null(range.VerifiedBy);
        Assert.Equal(["ENABLED", "ENABLED", null], modes);
    }

    [Fact]
    public async Task A_multipart_object_with_a_full_object_checksum_is_checked_by_it()
    {
        var forged = Forged();
        await using var server = await ServeAsync(forged, "\"0123456789abcdef0123456789abcdef-3\"",
            new Dictionary<string, string> { ["x-amz-checksum-crc64nvme"] = ChecksumAlgorithm.Crc64Nvme.Compute(Original), ["x-amz-checksum-type"] = "FULL_OBJECT" }, []);
        using var store = StoreFor(server.Url);

        await using var content = await store.GetObjectAsync("bucket", "key", ObjectReadRequest.Whole, CancellationToken.None);
        await Assert.ThrowsAsync<CorruptBodyException>(async () => await content.Body.CopyToAsync(Stream.Null));
    }

    [Theory]
    [InlineData("COMPOSITE")]
    [InlineData(null)] // a value with -N is a checksum of part checksums whatever the type says
    public async Task A_composite_checksum_does_not_speak_for_the_body_so_the_MD5_ETag_does(string? type)
    {
        // The composite value is no checksum of these bytes: were it compared with them, the right body would fail.
        var headers = new Dictionary<string, string> { ["x-amz-checksum-crc32"] = ChecksumAlgorithm.Crc32.Compute("parts"u8) + "-3" };
        if (type is not null) headers["x-amz-checksum-type"] = type;
        await using var server = await ServeAsync(Original, Md5ETag(Original), headers, []);
        using var store = StoreFor(server.Url);

        await using var content = await store.GetObjectAsync("bucket", "key", ObjectReadRequest.Whole, CancellationToken.None);
        var copy = new MemoryStream();
        await content.Body.CopyToAsync(copy);
        Assert.Equal(Original, copy.ToArray());
        Assert.Equal("md5", content.VerifiedBy);
    }

    [Fact]
    public async Task A_multipart_object_without_a_full_object_checksum_is_checked_by_its_length_only()
    {
        await using var server = await ServeAsync(Original, "\"0123456789abcdef0123456789abcdef-3\"", new Dictionary<string, string>(), []);
        using var store = StoreFor(server.Url);

        await using var content = await store.GetObjectAsync("bucket", "key", ObjectReadRequest.Whole, CancellationToken.None);
        await content.Body.CopyToAsync(Stream.Null);
        Assert.Null(content.VerifiedBy);
    }
}
