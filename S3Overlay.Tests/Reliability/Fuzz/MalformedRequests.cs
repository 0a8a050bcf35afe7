using System.Text;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Reliability.Fuzz;

/// <summary>
/// A seeded generator of malformed S3 requests against one bucket: each family mutates one part
/// of a request (path and key, headers, XML bodies, aws-chunked framing, signatures, multipart
/// ids and part numbers, listing parameters). The same seed makes the same requests.
/// </summary>
public sealed class MalformedRequests(Random random, string bucket, string uploadId)
{
    private static readonly string[] KeyPieces =
    [
        "..", "../", "..%2F", "%2e%2e/", "%2E%2E%2F", "./", "//", "%2F", "\\", "..\\", "%5C..%5C", "%00", "%01", "%1f", "%7f",
        "%", "%zz", "%c3%28", "%ff%fe", "é", "%E2%80%AE", "~", "+", "%20", " ", "'", "\"", "<", "&", ";", "*", "?x", "#", "a", "known",
        "CON", "nul", ".overlay", "_overlay", "s3-overlay-cache", ".tmp", ".part", "%2e", ".",
    ];

    /// <summary>The name of the file a path escape would create outside the data folder.</summary>
    public const string EscapeCanary = "s3overlay-fuzz-escape";

    private static readonly string[] Methods = ["GET", "HEAD", "PUT", "DELETE", "POST"];

    private static readonly string[] Subresources =
    [
        "", "?acl", "?tagging", "?uploads", "?delete", "?cors", "?versioning", "?location", "?policy", "?lifecycle",
        "?list-type=2", "?versions", "?torrent", "?x-id=GetObject", "?partNumber=1", "?uploadId=", "?select&select-type=2",
    ];

    private readonly List<Func<RawRequest>> _families = [];

    /// <summary>One malformed request, from a family chosen at random.</summary>
    public RawRequest Next()
    {
        if (_families.Count == 0)
            _families.AddRange([Path, Headers, XmlBody, AwsChunked, Signature, Multipart, Listing]);
        return _families[random.Next(_families.Count)]();
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private string Key()
    {
        var key = new StringBuilder();
        var pieces = random.Next(1, 6);
        for (var i = 0; i < pieces; i++) key.Append(Pick(KeyPieces));
        return random.Next(12) switch
        {
            0 => new string('k', random.Next(1000, 1100)),
            // Deep enough to reach / from any data folder: the run looks for the canary name everywhere it could land.
            1 => string.Concat(Enumerable.Repeat(Pick(new[] { "../", "..%2F", "%2e%2e/" }), random.Next(1, 40))) + EscapeCanary,
            2 => "",
            _ => key.ToString(),
        };
    }

    private RawRequest Path()
    {
        var method = Pick(Methods);
        var target = random.Next(6) switch
        {
            0 => "/" + Key(),
            1 => $"/{Key()}/{Key()}",
            _ => $"/{bucket}/{Key()}",
        } + Pick(Subresources);
        var request = new RawRequest(method, target) { Description = $"path {method} {target}" };
        if (method == "PUT") request.Body = Encoding.UTF8.GetBytes("fuzz body");
        return request;
    }

    private static readonly (string Name, string[] Values)[] HeaderValues =
    [
        ("Range", ["bytes=", "bytes=5-1", "bytes=-0", "bytes=a-b", "bytes=0-0,5-6", "bytes=99999999999999999999-", "bytes=-99999999999999999999", "bits=0-1", "bytes=0-", "bytes=--1", "bytes= 1-2", "bytes=1-2-3"]),
        ("If-Match", ["", "*", "\"", "\"abc", "W/\"x\"", "\"a\", \"b\"", new string('"', 300)]),
        ("If-None-Match", ["", "*", "\"", "garbage", "W/"]),
        ("If-Modified-Since", ["", "yesterday", "Mon, 32 Jan 2024 25:61:61 GMT", "0", "-1", "9999-99-99", "Thu, 01 Jan 1970 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT"]),
        ("If-Unmodified-Since", ["", "tomorrow", "Tue, 15 Nov 1994 08:12:31 GMT", "\u0001"]),
        ("x-amz-acl", ["", "public-read", "bogus", "private,public-read", new string('a', 500)]),
        ("x-amz-grant-read", ["", "id=", "uri=\"x\"", "emailAddress=\"", "garbage"]),
        ("x-amz-tagging", ["", "a=b", "a=%zz", "&&&", "=", "a", string.Join('&', Enumerable.Range(0, 60).Select(i => $"k{i}=v")), "k=" + new string('v', 300)]),
        ("x-amz-checksum-crc32", ["", "!!!", "AAAAAA==", "not base64", "AAAA"]),
        ("x-amz-checksum-sha256", ["", "x", "AAAA"]),
        ("x-amz-sdk-checksum-algorithm", ["CRC32", "MD4", "", "crc64nvme"]),
        ("Content-MD5", ["", "abc", "1B2M2Y8AsgTpgAmY7PhCfg==", "====", "\u00ff"]),
        ("x-amz-copy-source", ["", "/", "%", "/../../etc/passwd", "{b}/known", "{b}/known?versionId=x", "{b}/%2e%2e/%2e%2e/x", "nobucket/x", "{b}/" + new string('z', 1100)]),
        ("x-amz-copy-source-range", ["bytes=0-1", "bytes=", "bytes=9-1"]),
        ("x-amz-copy-source-if-match", ["\"x\"", ""]),
        ("x-amz-metadata-directive", ["COPY", "REPLACE", "bogus", ""]),
        ("x-amz-meta-a", ["", "é", "\u0001", new string('m', 3000)]),
        ("x-amz-storage-class", ["STANDARD", "bogus", ""]),
        ("x-amz-server-side-encryption", ["AES256", "aws:kms", "bogus"]),
        ("x-amz-decoded-content-length", ["-1", "abc", "99999999999"]),
        ("x-amz-object-lock-mode", ["GOVERNANCE", "x"]),
        ("Expect", ["100-continue", "bogus"]),
        ("Content-Type", ["", "\u0001", "multipart/form-data; boundary="]),
        ("Expires", ["never", ""]),
    ];

    private RawRequest Headers()
    {
        var method = Pick(Methods[..4]);
        var request = new RawRequest(method, $"/{bucket}/{Pick(new[] { "known", "k" + random.Next(20), "known" + Pick(Subresources) })}");
        var count = random.Next(1, 4);
        var chosen = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var (name, values) = Pick(HeaderValues);
            var value = Pick(values).Replace("{b}", bucket);
            request.Header(name, value);
            chosen.Add($"{name}: {value}");
        }
        if (random.Next(5) == 0) request.ContentLength = Pick(new[] { "-1", "abc", "99999999999999999999", "5", "1.5", "" });
        if (method == "PUT") request.Body = Encoding.UTF8.GetBytes(new string('b', random.Next(0, 64)));
        request.Description = $"headers {method} {request.Target} [{string.Join(" | ", chosen)}] content-length {request.ContentLength ?? "right"}";
        return request;
    }

    private string Xml()
    {
        return random.Next(10) switch
        {
            0 => string.Concat(Enumerable.Repeat("<a>", random.Next(1000, 20000))),
            1 => "<Delete>" + string.Concat(Enumerable.Repeat("<Object><Key>k</Key></Object>", random.Next(1001, 3000))) + "</Delete>",
            2 => "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">]><Delete><Object><Key>&d;</Key></Object></Delete>",
            3 => "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><Tagging><TagSet><Tag><Key>&e;</Key><Value>v</Value></Tag></TagSet></Tagging>",
            4 => "<Tagging><TagSet>" + string.Concat(Enumerable.Range(0, random.Next(1, 60)).Select(i => $"<Tag><Key>{(random.Next(3) == 0 ? "" : "k" + i)}</Key><Value>{new string('v', random.Next(0, 300))}</Value></Tag>")) + "</TagSet></Tagging>",
            5 => "<CompleteMultipartUpload>" + string.Concat(Enumerable.Range(0, random.Next(0, 5)).Select(_ => $"<Part><PartNumber>{Pick(new[] { "1", "0", "-1", "x", "10001", "2" })}</PartNumber><ETag>{Pick(new[] { "\"x\"", "", "\"d41d8cd98f00b204e9800998ecf8427e\"" })}</ETag></Part>")) + "</CompleteMultipartUpload>",
            6 => "<Delete><Object><Key>" + Key().Replace("&", "&amp;").Replace("<", "&lt;") + "</Key></Object><Quiet>maybe</Quiet></Delete>",
            7 => "<AccessControlPolicy><Owner><ID>x</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"Bogus\"><URI>x</URI></Grantee><Permission>ALL</Permission></Grant></AccessControlList></AccessControlPolicy>",
            8 => new string('<', random.Next(1, 100)) + "\u0000\u0001",
            _ => "<WrongRoot><Unclosed>",
        };
    }

    private RawRequest XmlBody()
    {
        var (method, target) = random.Next(7) switch
        {
            0 => ("POST", $"/{bucket}?delete"),
            1 => ("PUT", $"/{bucket}/known?tagging"),
            2 => ("PUT", $"/{bucket}/known?acl"),
            3 => ("PUT", $"/{bucket}?cors"),
            4 => ("POST", $"/{bucket}/upload?uploadId={uploadId}"),
            5 => ("PUT", $"/{bucket}?versioning"),
            _ => ("PUT", $"/{bucket}?tagging"),
        };
        var xml = Xml();
        return new RawRequest(method, target) { Body = Encoding.UTF8.GetBytes(xml), Description = $"xml {method} {target} ({xml.Length} chars: {xml[..Math.Min(80, xml.Length)]})" };
    }

    private RawRequest AwsChunked()
    {
        var signedMode = random.Next(2) == 0;
        var body = random.Next(8) switch
        {
            0 => "zz\r\nabc\r\n0\r\n\r\n",
            1 => "ffffffff\r\nabc\r\n0\r\n\r\n",
            2 => "3\r\nabc\r\n",
            3 => "-3\r\nabc\r\n0\r\n\r\n",
            4 => "3;chunk-signature=nothex\r\nabc\r\n0;chunk-signature=00\r\n\r\n",
            5 => "3\r\nabc\r\n0\r\nx-amz-checksum-crc32:!!!\r\n\r\n",
            6 => "3\r\nabcdef\r\n0\r\n\r\n",
            _ => "3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\nx-amz-trailer-signature:00\r\n\r\n",
        };
        var request = new RawRequest("PUT", $"/{bucket}/chunked-{random.Next(10)}")
        {
            Body = Encoding.ASCII.GetBytes(body),
            Description = $"aws-chunked {(signedMode ? "signed" : "unsigned")} {body.ReplaceLineEndings("\\n")}",
        };
        request.Header("Content-Encoding", Pick(new[] { "aws-chunked", "aws-chunked,gzip", "gzip" }))
            .Header("x-amz-content-sha256", signedMode ? "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" : Pick(new[] { "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", "STREAMING-BOGUS" }))
            .Header("x-amz-decoded-content-length", Pick(new[] { "3", "0", "-1", "abc", "4" }));
        if (random.Next(2) == 0) request.Header("x-amz-trailer", Pick(new[] { "x-amz-checksum-crc32", "x-amz-checksum-bogus", "" }));
        return request;
    }

    private RawRequest Signature()
    {
        var target = $"/{bucket}/known";
        var scope = $"{DateTime.UtcNow:yyyyMMdd}/us-east-1/s3/aws4_request";
        var request = new RawRequest("GET", target) { Signed = false };
        switch (random.Next(9))
        {
            case 0:
                request.Header("Authorization", Pick(new[] { "AWS minioadmin:garbage", "AWS minioadmin", "AWS :", "AWS " + new string('x', 5000) }));
                request.Header("Date", Pick(new[] { DateTime.UtcNow.ToString("R"), "yesterday", "" }));
                break;
            case 1:
                request.Header("Authorization", Pick(new[]
                {
                    "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 Credential=minioadmin", $"AWS4-HMAC-SHA256 Credential=minioadmin/{scope}",
                    $"AWS4-HMAC-SHA256 Credential=minioadmin/{scope}, SignedHeaders=host, Signature=zz",
                    "AWS4-HMAC-SHA256 Credential=minioadmin/2024/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + new string('0', 64),
                    "AWS4-HMAC-SHA256 Credential=/ / / /, SignedHeaders=, Signature=",
                    "AWS4-HMAC-SHA256 Credential=minioadmin/20240101/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=" + new string('a', 64) + ",Signature=b",
                }));
                request.Header("x-amz-date", Pick(new[] { "20240101T000000Z", "garbage", "", "99999999T999999Z" }));
                request.Header("x-amz-content-sha256", Pick(new[] { "UNSIGNED-PAYLOAD", "zz", "" }));
                break;
            case 2:
                request.Target = target + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + Uri.EscapeDataString($"minioadmin/{scope}") +
                    $"&X-Amz-Date={Pick(new[] { "20240101T000000Z", "x", "" })}&X-Amz-Expires={Pick(new[] { "-1", "0", "604801", "abc", "99999999999999999999" })}&X-Amz-SignedHeaders=host&X-Amz-Signature={Pick(new[] { "zz", new string('0', 64), "" })}";
                break;
            case 3:
                request.Target = target + $"?AWSAccessKeyId=minioadmin&Expires={Pick(new[] { "abc", "-1", "99999999999999999999", "0" })}&Signature={Pick(new[] { "%", "abc", "%2B%2F", "" })}";
                break;
            case 4:
                request.Target = target + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=%zz";
                break;
            case 5:
                request.Signed = true;
                request.Header("x-amz-date", Pick(new[] { "19700101T000000Z", "20991231T235959Z", "20240230T250000Z" }));
                break;
            case 6:
                request.Signed = true;
                request.Header("x-amz-security-token", Pick(new[] { "", "x", new string('t', 4000) }));
                break;
            case 7:
                request.Header("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("minioadmin:wrong")));
                break;
            default:
                request.Signed = true;
                request.Header("x-amz-content-sha256", Pick(new[] { "UNSIGNED-PAYLOAD", new string('0', 64), "zz" }));
                break;
        }
        request.Description = $"signature {request.Target} [{string.Join(" | ", request.Headers.Select(h => $"{h.Name}: {(h.Value.Length > 80 ? h.Value[..80] + "…" : h.Value)}"))}]";
        return request;
    }

    private RawRequest Multipart()
    {
        var id = Pick(new[] { uploadId, "", "../x", "%2e%2e%2Fx", new string('u', 2000), "nosuch", uploadId + "/..", "%00" });
        var part = Pick(new[] { "1", "0", "-1", "10001", "abc", "1e3", "%201", "99999999999999999999", "2" });
        var (method, target) = random.Next(5) switch
        {
            0 => ("PUT", $"/{bucket}/upload?partNumber={part}&uploadId={id}"),
            1 => ("GET", $"/{bucket}/upload?uploadId={id}&max-parts={Pick(new[] { "-1", "abc", "0", "100000" })}&part-number-marker={part}"),
            2 => ("DELETE", $"/{bucket}/other?uploadId={id}"),
            3 => ("POST", $"/{bucket}/upload?uploadId={id}"),
            _ => ("GET", $"/{bucket}/upload?partNumber={part}"),
        };
        var request = new RawRequest(method, target) { Description = $"multipart {method} {target}" };
        if (method == "PUT") request.Body = Encoding.UTF8.GetBytes("part body");
        if (method == "POST") request.Body = Encoding.UTF8.GetBytes(Xml());
        return request;
    }

    private RawRequest Listing()
    {
        var query = string.Join('&', Enumerable.Range(0, random.Next(1, 5)).Select(_ => Pick(new[]
        {
            "list-type=2", "list-type=3", "max-keys=-1", "max-keys=abc", "max-keys=99999999999999999999", "max-keys=0",
            "continuation-token=garbage", "continuation-token=%zz", "continuation-token=" + Convert.ToBase64String(Encoding.UTF8.GetBytes("../../x")),
            "delimiter=%00", "delimiter=" + new string('/', 300), "encoding-type=bogus", "encoding-type=url", "prefix=..%2F", "prefix=%ff",
            "marker=%ff", "start-after=\u00ff", "fetch-owner=maybe", "versions", "key-marker=x&version-id-marker=y", "uploads&max-uploads=-5",
        })));
        return new RawRequest("GET", $"/{bucket}?{query}") { Description = $"listing ?{query}" };
    }
}
