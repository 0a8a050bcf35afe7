using System.Text.Json.Serialization;

namespace S3Overlay.S3.Tagging;

/// <summary>A bucket's tags as the store keeps them (a bucket setting), generated when the project compiles: no reflection at run time, which a Native AOT build does not allow.</summary>
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class TagSetJson : JsonSerializerContext;
