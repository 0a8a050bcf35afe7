using System.Buffers.Binary;
using System.Text;

namespace S3Overlay.Tests.Telemetry;

public sealed record OtlpSpan(string Service, string Scope, string Name, string TraceId, string SpanId, string ParentSpanId, IReadOnlyDictionary<string, object?> Attributes);

public sealed record OtlpMetric(string Service, string Scope, string Name, string Unit);

public sealed record OtlpLogRecord(string Service, string Scope, string? Body);

/// <summary>
/// Just enough protobuf to read what the OTLP exporter sends (opentelemetry-proto's
/// Export{Trace,Metrics,Logs}ServiceRequest): the resource's service.name, the scope, span names,
/// ids and attributes, metric names and units, log bodies. Field numbers are the proto files'.
/// </summary>
public static class OtlpPayload
{
    public static IReadOnlyList<OtlpSpan> Spans(byte[] body) =>
        [.. Scoped(body).SelectMany(s => s.Items.Where(f => f.Number == 2).Select(span => Span(s.Service, s.Scope, span.Bytes)))];

    public static IReadOnlyList<OtlpMetric> Metrics(byte[] body) =>
        [.. Scoped(body).SelectMany(s => s.Items.Where(f => f.Number == 2).Select(metric =>
        {
            var fields = Fields(metric.Bytes).ToList();
            return new OtlpMetric(s.Service, s.Scope, Text(fields, 1) ?? "", Text(fields, 3) ?? "");
        }))];

    public static IReadOnlyList<OtlpLogRecord> Logs(byte[] body) =>
        [.. Scoped(body).SelectMany(s => s.Items.Where(f => f.Number == 2).Select(record =>
        {
            var bodyValue = Fields(record.Bytes).Where(f => f.Number == 5).Select(f => AnyValue(f.Bytes)).FirstOrDefault();
            return new OtlpLogRecord(s.Service, s.Scope, bodyValue?.ToString());
        }))];

    /// <summary>The resource attributes of the first resource in an export request (any signal).</summary>
    public static IReadOnlyDictionary<string, object?> Resource(byte[] body) =>
        Fields(body).Where(f => f.Number == 1)
            .Select(r => Fields(r.Bytes).Where(f => f.Number == 1).Select(f => Attributes(f.Bytes, 1)).First())
            .First();

    /// <summary>Resource{Spans,Metrics,Logs} (1) → resource (1) + Scope{…} (2) → scope (1) + items (2), the same shape for all three signals.</summary>
    private static IEnumerable<(string Service, string Scope, List<Field> Items)> Scoped(byte[] body)
    {
        foreach (var resourceEntry in Fields(body).Where(f => f.Number == 1))
        {
            var resourceFields = Fields(resourceEntry.Bytes).ToList();
            var resource = resourceFields.Where(f => f.Number == 1).Select(f => Attributes(f.Bytes, 1)).FirstOrDefault() ?? [];
            var service = resource.GetValueOrDefault("service.name") as string ?? "";
            foreach (var scoped in resourceFields.Where(f => f.Number == 2))
            {
                var items = Fields(scoped.Bytes).ToList();
                var scope = items.Where(f => f.Number == 1).Select(f => Text(Fields(f.Bytes).ToList(), 1)).FirstOrDefault() ?? "";
                yield return (service, scope, items);
            }
        }
    }

    private static OtlpSpan Span(string service, string scope, ReadOnlyMemory<byte> span)
    {
        var fields = Fields(span).ToList();
        return new OtlpSpan(service, scope,
            Name: Text(fields, 5) ?? "",
            TraceId: Hex(fields, 1),
            SpanId: Hex(fields, 2),
            ParentSpanId: Hex(fields, 4),
            Attributes: Attributes(span, 9));
    }

    private static Dictionary<string, object?> Attributes(ReadOnlyMemory<byte> message, int field)
    {
        var attributes = new Dictionary<string, object?>();
        foreach (var keyValue in Fields(message).Where(f => f.Number == field))
        {
            var kv = Fields(keyValue.Bytes).ToList();
            var value = kv.Where(f => f.Number == 2).Select(f => AnyValue(f.Bytes)).FirstOrDefault();
            attributes[Text(kv, 1) ?? ""] = value;
        }
        return attributes;
    }

    private static object? AnyValue(ReadOnlyMemory<byte> value)
    {
        foreach (var f in Fields(value))
            return f.Number switch
            {
                1 => Encoding.UTF8.GetString(f.Bytes.Span),
                2 => f.Varint != 0,
                3 => (long)f.Varint,
                4 => BitConverter.Int64BitsToDouble((long)f.Varint),
                _ => null,
            };
        return null;
    }

    private static string? Text(List<Field> fields, int number) =>
        fields.Where(f => f.Number == number).Select(f => Encoding.UTF8.GetString(f.Bytes.Span)).FirstOrDefault();

    private static string Hex(List<Field> fields, int number) =>
        fields.Where(f => f.Number == number).Select(f => Convert.ToHexStringLower(f.Bytes.Span)).FirstOrDefault() ?? "";

    private readonly record struct Field(int Number, ulong Varint, ReadOnlyMemory<byte> Bytes);

    private static IEnumerable<Field> Fields(ReadOnlyMemory<byte> message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var tag = ReadVarint(message.Span, ref position);
            var number = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0:
                    yield return new Field(number, ReadVarint(message.Span, ref position), default);
                    break;
                case 1:
                    yield return new Field(number, BinaryPrimitives.ReadUInt64LittleEndian(message.Span[position..]), default);
                    position += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(message.Span, ref position);
                    yield return new Field(number, 0, message.Slice(position, length));
                    position += length;
                    break;
                case 5:
                    yield return new Field(number, BinaryPrimitives.ReadUInt32LittleEndian(message.Span[position..]), default);
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"Unexpected protobuf wire type {tag & 7} at byte {position}.");
            }
        }
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
    }
}
