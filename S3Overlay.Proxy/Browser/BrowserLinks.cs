namespace S3Overlay.Browser;

/// <summary>The browser's own URLs. Keys and prefixes travel in the query, where no path normalisation can touch them.</summary>
internal static class BrowserLinks
{
    public const string Root = "/_overlay/browse";

    public static string Buckets => Root + "/";

    public static string SignIn => Root + "/?sign-in";

    public static string Folder(string bucket, string prefix = "", string? after = null, int? maxKeys = null)
    {
        var url = $"{Root}/{Escape(bucket)}/";
        var query = new List<string>();
        if (prefix.Length > 0) query.Add("prefix=" + Escape(prefix));
        if (after is not null) query.Add("after=" + Escape(after));
        if (maxKeys is not null) query.Add("max-keys=" + maxKeys);
        return query.Count == 0 ? url : url + "?" + string.Join('&', query);
    }

    public static string Object(string bucket, string key) => $"{Root}/{Escape(bucket)}/?key={Escape(key)}";

    public static string Presign(string bucket) => $"{Root}/{Escape(bucket)}/presign";

    /// <summary>The folder a key lives in: up to and including its last '/'.</summary>
    public static string FolderOf(string key) => key[..(key.LastIndexOf('/') + 1)];

    private static string Escape(string value) => Uri.EscapeDataString(value);
}
