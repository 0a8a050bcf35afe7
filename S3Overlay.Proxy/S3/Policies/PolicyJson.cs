using System.Text.Json;

namespace S3Overlay.S3.Policies;

/// <summary>The shapes policy JSON allows where IAM takes "one or a list".</summary>
internal static class PolicyJson
{
    /// <summary>A string or a list of strings (a bool or number is read as its text, as IAM reads <c>"Bool": {"aws:SecureTransport": false}</c>).</summary>
    public static string[] Strings(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Number => [Scalar(value)],
        JsonValueKind.Array when value.GetArrayLength() > 0 => value.EnumerateArray().Select(Scalar).ToArray(),
        _ => throw PolicyFault.InvalidJson(),
    };

    private static string Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => value.GetRawText(),
        _ => throw PolicyFault.InvalidJson(),
    };
}
