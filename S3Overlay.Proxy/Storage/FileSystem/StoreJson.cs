using System.Text.Json.Serialization;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// How the store's JSON files are written and read (camel case, nulls left out), generated when
/// the project compiles: no reflection at run time, which a Native AOT build does not allow.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ObjectSidecar))]
[JsonSerializable(typeof(UploadRecord))]
[JsonSerializable(typeof(PartInfo))]
[JsonSerializable(typeof(FileSystemObjectStore.BucketSetting))]
internal sealed partial class StoreJson : JsonSerializerContext;
