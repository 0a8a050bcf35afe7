using System.Data.Common;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;

namespace S3Overlay.AppHost.Events;

/// <summary>
/// RGW's SNS-compatible <c>CreateTopic</c>, signed with Signature Version 4, as boto3's SNS client
/// sends it (the AWS SDK for .NET's SNS package is not among the packages this builds from).
/// </summary>
public static class RgwTopics
{
    /// <summary>Creates (or updates) a topic that pushes each event to <paramref name="pushEndpoint"/> as it happens.</summary>
    /// <returns>The topic's ARN.</returns>
    public static async Task<string> CreateAsync(string connectionString, string name, string pushEndpoint, CancellationToken cancellationToken)
    {
        var parts = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var endpoint = new Uri((string)parts["Endpoint"]);
        var form = new Dictionary<string, string>
        {
            ["Action"] = "CreateTopic",
            ["Name"] = name,
            ["Attributes.entry.1.key"] = "push-endpoint",
            ["Attributes.entry.1.value"] = pushEndpoint,
            // Pushed as the write is made, before RGW answers it: the proxy knows by then.
            ["Attributes.entry.2.key"] = "persistent",
            ["Attributes.entry.2.value"] = "false",
        };
        var body = Encoding.UTF8.GetBytes(string.Join('&', form.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")));
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        Sign(request, body, endpoint, (string)parts["AccessKey"], (string)parts["SecretKey"], DateTimeOffset.UtcNow);

        using var http = new HttpClient();
        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"RGW refused CreateTopic ({(int)response.StatusCode}): {text}");
        return XDocument.Parse(text).Descendants().First(e => e.Name.LocalName == "TopicArn").Value;
    }

    private static void Sign(HttpRequestMessage request, byte[] body, Uri endpoint, string accessKey, string secretKey, DateTimeOffset now)
    {
        const string region = "us-east-1", service = "sns";
        var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var payloadHash = Hex(SHA256.HashData(body));
        var host = endpoint.Authority;
        var canonical = string.Join('\n', "POST", "/", "",
            "content-type:application/x-www-form-urlencoded", $"host:{host}", $"x-amz-content-sha256:{payloadHash}", $"x-amz-date:{amzDate}", "",
            "content-type;host;x-amz-content-sha256;x-amz-date", payloadHash);
        var scope = $"{date}/{region}/{service}/aws4_request";
        var toSign = string.Join('\n', "AWS4-HMAC-SHA256", amzDate, scope, Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))));
        var key = Encoding.UTF8.GetBytes("AWS4" + secretKey);
        foreach (var part in new[] { date, region, service, "aws4_request" }) key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        var signature = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign)));
        request.Headers.Add("x-amz-date", amzDate);
        request.Headers.Add("x-amz-content-sha256", payloadHash);
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={accessKey}/{scope}, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature={signature}");
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
