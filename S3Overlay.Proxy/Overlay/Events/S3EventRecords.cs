using System.Text.Json;

namespace S3Overlay.Overlay.Events;

/// <summary>
/// Reads the <c>Records</c> of an S3 event notification as Ceph RGW, MinIO and AWS S3 write
/// them: <c>{"Records":[{"eventName":"ObjectCreated:Put","eventSource":…,"s3":{"bucket":{"name":…},
/// "object":{"key":…,"eTag":…,"sequencer":…}},"opaqueData":…}]}</c> (MinIO adds a top-level
/// <c>EventName</c> and <c>Key</c>, which are not needed). AWS and MinIO send the key URL-encoded
/// (a space as <c>+</c>), as AWS documents; RGW sends it as it is.
/// </summary>
internal static class S3EventRecords
{
    /// <summary>A notification is a few hundred bytes a record; more than this is not one.</summary>
    public const int MaxBytes = 1024 * 1024;

    public const int MaxRecords = 1000;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 16 };

    /// <summary>The records of <paramref name="json"/>; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static IReadOnlyList<RemoteEvent> Parse(ReadOnlyMemory<byte> json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, Options);
        }
        catch (JsonException e)
        {
            throw new FormatException($"the body is not JSON: {e.Message}");
        }
        using (document) return Parse(document.RootElement);
    }

    public static IReadOnlyList<RemoteEvent> Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("Records", out var records) || records.ValueKind != JsonValueKind.Array)
            throw new FormatException("the body has no Records array");
        if (records.GetArrayLength() > MaxRecords) throw new FormatException($"more than {MaxRecords} records");
        var events = new List<RemoteEvent>();
        foreach (var record in records.EnumerateArray()) events.Add(Read(record));
        return events;
    }

    private static RemoteEvent Read(JsonElement record)
    {
        if (record.ValueKind != JsonValueKind.Object) throw new FormatException("a record is not an object");
        var name = Text(record, "eventName") ?? throw new FormatException("a record has no eventName");
        var source = Text(record, "eventSource") ?? "";
        if (!record.TryGetProperty("s3", out var s3) || s3.ValueKind != JsonValueKind.Object) throw new FormatException("a record has no s3 object");
        var bucket = s3.TryGetProperty("bucket", out var b) && b.ValueKind == JsonValueKind.Object ? Text(b, "name") : null;
        if (string.IsNullOrEmpty(bucket)) throw new FormatException("a record has no s3.bucket.name");
        if (!s3.TryGetProperty("object", out var o) || o.ValueKind != JsonValueKind.Object) throw new FormatException("a record has no s3.object");
        var key = Text(o, "key");
        if (string.IsNullOrEmpty(key)) throw new FormatException("a record has no s3.object.key");
        var ceph = source.StartsWith("ceph:", StringComparison.Ordinal);
        if (!ceph) key = DecodeKey(key);
        // Names as AWS writes them ("ObjectCreated:Put"); some senders prefix "s3:".
        var change = name.StartsWith("s3:", StringComparison.Ordinal) ? name[3..] : name;
        var removed = change.StartsWith("ObjectRemoved:", StringComparison.Ordinal);
        var etag = Text(o, "eTag") ?? Text(o, "etag");
        var sequencer = NonEmpty(Text(o, "sequencer"));
        if (ceph && sequencer is not null) sequencer = CephSequencer(sequencer);
        return new RemoteEvent(bucket, key, removed, string.IsNullOrEmpty(etag) || removed ? null : Storage.ReadConditions.Unquote(etag),
            sequencer, change, Text(record, "opaqueData"));
    }

    /// <summary>Whether the event is a change of an object's bytes (ObjectCreated:* or ObjectRemoved:*).</summary>
    public static bool IsChange(RemoteEvent e) =>
        e.EventName.StartsWith("ObjectCreated:", StringComparison.Ordinal) || e.EventName.StartsWith("ObjectRemoved:", StringComparison.Ordinal);

    /// <summary>
    /// RGW's sequencer as one that sorts as S3's do: RGW writes the event's time as the hex of its
    /// seconds and nanoseconds, each a little-endian 32-bit number (<c>F2890A6BF54B0004</c> is
    /// second 0x6B0A89F2, nanosecond 0x04004BF5: seen here, its eventId says the same), so two
    /// events of one second compared as text come out in any order. Written big-endian, they sort.
    /// </summary>
    internal static string CephSequencer(string sequencer)
    {
        if (sequencer.Length != 16 || !sequencer.All(char.IsAsciiHexDigit)) return sequencer;
        var bytes = Convert.FromHexString(sequencer);
        var seconds = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(0, 4));
        var nanoseconds = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4, 4));
        return $"{seconds:X8}{nanoseconds:X8}";
    }

    /// <summary>The key as AWS and MinIO encode it: form URL encoding (<c>+</c> a space).</summary>
    private static string DecodeKey(string key)
    {
        try
        {
            return Uri.UnescapeDataString(key.Replace('+', ' '));
        }
        catch (UriFormatException)
        {
            throw new FormatException("a record's s3.object.key is not URL-encoded");
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? NonEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
