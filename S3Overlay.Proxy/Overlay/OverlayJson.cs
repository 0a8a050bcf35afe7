using System.Text.Json;
using System.Text.Json.Serialization;
using S3Overlay.Overlay.Eviction;
using S3Overlay.Overlay.Records;

namespace S3Overlay.Overlay;

/// <summary>
/// The overlay's records in the local store (fill records, the cache index), in the web's JSON
/// conventions, generated when the project compiles: no reflection at run time, which a Native AOT
/// build does not allow.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(FillRecord))]
[JsonSerializable(typeof(List<CacheEntry>))]
internal sealed partial class OverlayJson : JsonSerializerContext;
