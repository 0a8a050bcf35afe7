using System.Text.Json;
using System.Text.Json.Serialization;
using S3Overlay.Overlay.Eviction;

namespace S3Overlay.Admin;

// The admin API's answers, one record each, in the web's JSON conventions (camel case): named
// types, so their JSON can be generated when the project compiles (AdminJson), where a Native AOT
// build has no reflection to serialize anonymous ones.

/// <param name="Reconciled">False until the start-up reconcile has counted fills a killed run never flushed to the index.</param>
/// <param name="Evicting">Whether an eviction is deleting units now.</param>
/// <param name="IndexSaved">Whether the index's record has all this proxy knows.</param>
internal sealed record CacheAnswer(string Bucket, string Prefix, int Objects, int ChunkedObjects, int Chunks, long Bytes,
    long CacheBytes, long? MaxBytes, bool Reconciled, bool Evicting, bool IndexSaved);

internal sealed record EvictAnswer(string Bucket, string? Key, string? Prefix, CacheReport Evicted);

internal sealed record WarmStarted(string Id, string Location);

internal sealed record WarmJobAnswer(string Id, string Bucket, string Prefix, string? Key, string State, DateTimeOffset Started,
    DateTimeOffset? Finished, int? ObjectsTotal, int ObjectsDone, int ObjectsFailed, int ObjectsSkipped, long Bytes,
    string? Error, List<WarmError> Errors);

internal sealed record WhiteoutShown(string Key, DateTimeOffset DeletedAt);

internal sealed record WhiteoutsAnswer(string Bucket, string Prefix, List<WhiteoutShown> Whiteouts, bool Truncated);

internal sealed record ClearedAnswer(string Bucket, string? Key, string? Prefix, int Cleared);

internal sealed record AdminProblem(string Error);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CacheAnswer))]
[JsonSerializable(typeof(EvictAnswer))]
[JsonSerializable(typeof(WarmStarted))]
[JsonSerializable(typeof(WarmJobAnswer))]
[JsonSerializable(typeof(WhiteoutsAnswer))]
[JsonSerializable(typeof(ClearedAnswer))]
[JsonSerializable(typeof(AdminProblem))]
internal sealed partial class AdminJson : JsonSerializerContext;
