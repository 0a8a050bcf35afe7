using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3.PostObject;

/// <summary>
/// Browser-upload forms as a web page's server side makes them: a policy (expiration and
/// conditions), signed with SigV4 or SigV2 the way AWS documents, written independently of the
/// proxy's code, and sent as multipart/form-data with the file last.
/// </summary>
public static class PostForms
{
    public const string Region = "us-east-1";

    /// <summary>Base64 of <c>{"expiration": …, "conditions": […]}</c>; each condition is a JSON value.</summary>
    public static string Policy(DateTimeOffset expiration, params object[] conditions) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["expiration"] = expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["conditions"] = conditions,
        })));

    /// <summary>
    /// The fields of a SigV4-signed form: the given ones plus policy, x-amz-algorithm/credential/date
    /// and x-amz-signature, with conditions for the bucket, every given field (<see cref="Condition"/>)
    /// and the signing fields, plus <paramref name="extraConditions"/>.
    /// </summary>
    public static List<(string Name, string Value)> SignedV4(string bucket, IEnumerable<(string Name, string Value)> fields, object[]? extraConditions = null,
        DateTimeOffset? expiration = null, string secretKey = ProxyServer.SecretKey, string accessKey = ProxyServer.AccessKey)
    {
        var now = DateTimeOffset.UtcNow;
        var date = now.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var credential = $"{accessKey}/{date}/{Region}/s3/aws4_request";
        var all = fields.ToList();
        all.Add(("x-amz-algorithm", "AWS4-HMAC-SHA256"));
        all.Add(("x-amz-credential", credential));
        all.Add(("x-amz-date", now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)));
        var conditions = new List<object> { new Dictionary<string, string> { ["bucket"] = bucket } };
        conditions.AddRange(all.Select(Condition));
        conditions.AddRange(extraConditions ?? []);
        var policy = Policy(expiration ?? now.AddMinutes(10), [.. conditions]);
        var key = Hmac(Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), date), Region), "s3"), "aws4_request");
        all.Add(("policy", policy));
        all.Add(("x-amz-signature", Convert.ToHexStringLower(Hmac(key, policy))));
        return all;
    }

    /// <summary>The legacy form: AWSAccessKeyId, policy and the base64 HMAC-SHA1 signature of the policy.</summary>
    public static List<(string Name, string Value)> SignedV2(string bucket, IEnumerable<(string Name, string Value)> fields)
    {
        var all = fields.ToList();
        var conditions = new List<object> { new Dictionary<string, string> { ["bucket"] = bucket } };
        conditions.AddRange(all.Select(Condition));
        var policy = Policy(DateTimeOffset.UtcNow.AddMinutes(10), [.. conditions]);
        all.Add(("AWSAccessKeyId", ProxyServer.AccessKey));
        all.Add(("policy", policy));
        all.Add(("signature", Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(ProxyServer.SecretKey), Encoding.UTF8.GetBytes(policy)))));
        return all;
    }

    /// <summary>
    /// The condition a field's value must meet: an exact match, but for a key naming the file
    /// (<c>uploads/${filename}</c>) what comes before it, as boto3 writes it: S3 checks the key
    /// with the file's name in place.
    /// </summary>
    private static object Condition((string Name, string Value) field) =>
        field.Name == "key" && field.Value.EndsWith("${filename}", StringComparison.Ordinal)
            ? new[] { "starts-with", "$key", field.Value[..^"${filename}".Length] }
            : new Dictionary<string, string> { [field.Name] = field.Value };

    /// <summary>multipart/form-data with the fields in order and the file last (no file when <paramref name="file"/> is null).</summary>
    public static MultipartFormDataContent Content(IEnumerable<(string Name, string Value)> fields, byte[]? file, string fileName = "hello.txt") =>
        Content(fields, file is null ? null : new ByteArrayContent(file), fileName);

    public static MultipartFormDataContent Content(IEnumerable<(string Name, string Value)> fields, HttpContent? file, string fileName = "hello.txt")
    {
        var content = new MultipartFormDataContent();
        foreach (var (name, value) in fields) content.Add(new StringContent(value), name);
        if (file is not null) content.Add(file, "file", fileName);
        return content;
    }

    /// <summary>A client that shows redirects instead of following them.</summary>
    public static HttpClient Client(ProxyServer proxy) =>
        new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(proxy.Url + "/") };

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
}
