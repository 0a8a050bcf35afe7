using System.Text.Json;
using System.Text.Json.Serialization;

namespace S3Overlay.Browser;

/// <summary>The file browser's answer to "give me a link": a presigned URL and when it stops working.</summary>
internal sealed record PresignedLink(string Url, DateTimeOffset Expires);

/// <summary><see cref="PresignedLink"/>'s serializer (camel case), generated when the project compiles: a Native AOT build has no reflection.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PresignedLink))]
internal sealed partial class BrowserJson : JsonSerializerContext;
