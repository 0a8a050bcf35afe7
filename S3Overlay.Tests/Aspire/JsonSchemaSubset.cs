using System.Text.Json.Nodes;

namespace S3Overlay.Tests.Aspire;

/// <summary>
/// A JSON Schema (draft-07) validator for exactly the keywords Aspire's manifest schema uses: type,
/// properties, additionalProperties, required, const, enum, items, oneOf, not and local $ref. A schema
/// that uses any other keyword is refused rather than half-checked. (JsonSchema.Net is on the NuGet
/// feed here but its dependencies JsonPointer.Net and Json.More.Net are not, so it cannot be restored.)
/// </summary>
public sealed class JsonSchemaSubset(JsonObject root)
{
    private static readonly HashSet<string> Annotations = ["$schema", "$id", "description", "title", "default", "examples", "definitions"];
    private static readonly HashSet<string> Checked = ["type", "properties", "additionalProperties", "required", "const", "enum", "items", "oneOf", "not", "$ref"];

    /// <summary>Where the instance breaks the schema; empty when it is valid.</summary>
    public List<string> Errors(JsonNode? instance)
    {
        var errors = new List<string>();
        Validate(root, instance, "$", errors);
        return errors;
    }

    private void Validate(JsonNode schemaNode, JsonNode? instance, string at, List<string> errors)
    {
        if (schemaNode is JsonValue boolean && boolean.TryGetValue<bool>(out var allowed))
        {
            if (!allowed) errors.Add($"{at}: not allowed here");
            return;
        }
        var schema = schemaNode.AsObject();
        foreach (var keyword in schema.Select(p => p.Key).Where(k => !Checked.Contains(k) && !Annotations.Contains(k)))
            throw new NotSupportedException($"schema keyword '{keyword}' is not supported by this validator");

        if (schema["$ref"] is { } reference)
            Validate(Definition((string)reference!), instance, at, errors);
        if (schema["type"] is { } type && !TypeMatches(type, instance))
            errors.Add($"{at}: expected {type.ToJsonString()}, got {Kind(instance)}");
        if (schema["const"] is { } constant && !JsonNode.DeepEquals(constant, instance))
            errors.Add($"{at}: expected {constant.ToJsonString()}");
        if (schema["enum"] is JsonArray options && !options.Any(o => JsonNode.DeepEquals(o, instance)))
            errors.Add($"{at}: {instance?.ToJsonString()} is not one of {options.ToJsonString()}");
        if (schema["not"] is { } not && Errors(not, instance, at).Count == 0)
            errors.Add($"{at}: matches a schema it must not match");
        if (schema["oneOf"] is JsonArray branches)
        {
            var matching = branches.Count(b => Errors(b!, instance, at).Count == 0);
            if (matching != 1) errors.Add($"{at}: matches {matching} of the oneOf branches, not exactly one");
        }
        if (instance is JsonObject obj) ValidateObject(schema, obj, at, errors);
        if (instance is JsonArray array && schema["items"] is { } items)
            for (var i = 0; i < array.Count; i++) Validate(items, array[i], $"{at}[{i}]", errors);
    }

    private void ValidateObject(JsonObject schema, JsonObject obj, string at, List<string> errors)
    {
        foreach (var name in schema["required"]?.AsArray().Select(n => (string)n!) ?? [])
            if (!obj.ContainsKey(name)) errors.Add($"{at}: missing required '{name}'");
        var properties = schema["properties"]?.AsObject();
        foreach (var (name, value) in obj)
        {
            if (properties?[name] is { } propertySchema) Validate(propertySchema, value, $"{at}.{name}", errors);
            else if (schema["additionalProperties"] is { } additional) Validate(additional, value, $"{at}.{name}", errors);
        }
    }

    private List<string> Errors(JsonNode schema, JsonNode? instance, string at)
    {
        var errors = new List<string>();
        Validate(schema, instance, at, errors);
        return errors;
    }

    private JsonNode Definition(string reference) =>
        reference.StartsWith("#/definitions/", StringComparison.Ordinal)
            ? root["definitions"]![reference["#/definitions/".Length..]] ?? throw new KeyNotFoundException(reference)
            : throw new NotSupportedException($"only local #/definitions references are supported: {reference}");

    private static bool TypeMatches(JsonNode type, JsonNode? instance) => type switch
    {
        JsonArray any => any.Any(t => TypeMatches(t!, instance)),
        _ => (string)type! switch
        {
            "integer" => instance is JsonValue v && v.TryGetValue<double>(out var d) && d == Math.Floor(d),
            "number" => Kind(instance) == "number",
            var name => Kind(instance) == name,
        },
    };

    private static string Kind(JsonNode? node) => node?.GetValueKind() switch
    {
        null or System.Text.Json.JsonValueKind.Null => "null",
        System.Text.Json.JsonValueKind.Object => "object",
        System.Text.Json.JsonValueKind.Array => "array",
        System.Text.Json.JsonValueKind.String => "string",
        System.Text.Json.JsonValueKind.Number => "number",
        _ => "boolean",
    };
}
