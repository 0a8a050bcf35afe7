using System.Buffers;
using System.Text.Json;
using S3Overlay.Storage;

namespace S3Overlay.Notifications;

/// <summary>
/// What a write changed, as one event: its name, the object, and who wrote it.
/// </summary>
/// <param name="Object">The object written (size, ETag, content type, user metadata); null for a removal or a tag change.</param>
internal sealed record WriteEvent(string Name, string Bucket, string Key, ObjectInfo? Object, string? VersionId, WriteOrigin? Origin);

/// <summary>
/// An event as the outbox keeps it: the target, and the record in S3's event format as MinIO
/// writes it (<c>eventVersion</c> 2.0, <c>eventSource</c> <c>minio:s3</c>, the event name with its
/// <c>s3:</c> prefix, the key URL-encoded as Go's QueryEscape does, the ETag unquoted, a sequencer
/// of 16 hex digits that orders the events of a key), so a consumer written for MinIO reads it unchanged.
/// </summary>
internal static class EventRecord
{
    public static byte[] Payload(WriteEvent e, string arn, string configurationId, string region, DateTimeOffset time, string sequencer)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("arn", arn);
            json.WriteString("name", e.Name);
            json.WriteString("key", e.Bucket + "/" + e.Key);
            json.WriteNumber("ms", time.ToUnixTimeMilliseconds());
            json.WritePropertyName("record");
            Write(json, e, configurationId, region, time, sequencer);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(Utf8JsonWriter json, WriteEvent e, string configurationId, string region, DateTimeOffset time, string sequencer)
    {
        var principal = e.Origin?.PrincipalId ?? "";
        json.WriteStartObject();
        json.WriteString("eventVersion", "2.0");
        json.WriteString("eventSource", "minio:s3");
        json.WriteString("awsRegion", region);
        json.WriteString("eventTime", time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        json.WriteString("eventName", e.Name);
        json.WriteStartObject("userIdentity");
        json.WriteString("principalId", principal);
        json.WriteEndObject();
        json.WriteStartObject("requestParameters");
        json.WriteString("principalId", principal);
        json.WriteString("region", region);
        json.WriteString("sourceIPAddress", e.Origin?.SourceIp ?? "");
        json.WriteEndObject();
        json.WriteStartObject("responseElements");
        if (e.Origin is { } origin)
        {
            json.WriteString("x-amz-id-2", origin.RequestId);
            json.WriteString("x-amz-request-id", origin.RequestId);
        }
        json.WriteEndObject();
        json.WriteStartObject("s3");
        json.WriteString("s3SchemaVersion", "1.0");
        json.WriteString("configurationId", configurationId);
        json.WriteStartObject("bucket");
        json.WriteString("name", e.Bucket);
        json.WriteStartObject("ownerIdentity");
        json.WriteString("principalId", principal);
        json.WriteEndObject();
        json.WriteString("arn", "arn:aws:s3:::" + e.Bucket);
        json.WriteEndObject();
        json.WriteStartObject("object");
        json.WriteString("key", QueryEscape(e.Key));
        if (e.Object is { } info)
        {
            json.WriteNumber("size", info.Size);
            json.WriteString("eTag", info.ETag.Trim('"'));
            if (info.Metadata.ContentType is { } type) json.WriteString("contentType", type);
            if (info.Metadata.UserMetadata.Count > 0)
            {
                json.WriteStartObject("userMetadata");
                foreach (var (name, value) in info.Metadata.UserMetadata) json.WriteString("X-Amz-Meta-" + name, value);
                json.WriteEndObject();
            }
        }
        if (e.VersionId is { } version) json.WriteString("versionId", version);
        json.WriteString("sequencer", sequencer);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartObject("source");
        json.WriteString("host", e.Origin?.SourceIp ?? "");
        json.WriteString("port", "");
        json.WriteString("userAgent", e.Origin?.UserAgent ?? "");
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>As Go's url.QueryEscape, which MinIO uses for the key: all but <c>A-Za-z0-9-_.~</c> percent-encoded, a space as <c>+</c>.</summary>
    public static string QueryEscape(string key) => Uri.EscapeDataString(key).Replace("%20", "+", StringComparison.Ordinal);
}
