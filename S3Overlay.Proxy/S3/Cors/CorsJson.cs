using System.Text.Json.Serialization;

namespace S3Overlay.S3.Cors;

/// <summary>A bucket's CORS rules as the store keeps them (a bucket setting), generated when the project compiles: no reflection at run time, which a Native AOT build does not allow.</summary>
[JsonSerializable(typeof(List<CorsRule>))]
[JsonSerializable(typeof(IReadOnlyList<CorsRule>))]
internal sealed partial class CorsJson : JsonSerializerContext;
