namespace S3Overlay.Notifications.Targets;

/// <summary>
/// MinIO takes a PostgreSQL connection string as libpq writes it (<c>host=127.0.0.1 port=5432
/// user=postgres dbname=events sslmode=disable</c>); Npgsql takes its own (<c>Host=…;Port=…</c>).
/// Either is accepted: a string without a <c>;</c> is read as libpq's keywords.
/// </summary>
internal static class PostgresConnection
{
    private static readonly Dictionary<string, string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["host"] = "Host", ["hostaddr"] = "Host", ["port"] = "Port", ["user"] = "Username", ["password"] = "Password",
        ["dbname"] = "Database", ["sslmode"] = "SSL Mode", ["connect_timeout"] = "Timeout", ["application_name"] = "Application Name",
    };

    public static string Npgsql(string text)
    {
        if (text.Contains(';', StringComparison.Ordinal)) return text;
        var parts = new List<string>();
        foreach (var pair in text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = pair.IndexOf('=');
            if (equals <= 0) continue;
            var (name, value) = (pair[..equals], pair[(equals + 1)..]);
            if (!Keywords.TryGetValue(name, out var key)) continue;
            if (key == "SSL Mode") value = value switch { "disable" => "Disable", "require" => "Require", "verify-ca" => "VerifyCA", "verify-full" => "VerifyFull", "prefer" => "Prefer", _ => "Allow" };
            parts.Add($"{key}={value}");
        }
        return string.Join(';', parts);
    }
}
