namespace S3Overlay.Cli.Serve;

/// <summary>
/// One flag of <c>s3overlay serve</c> and the setting it stands for. A flag is only another spelling
/// of an <c>S3_OVERLAY_*</c> setting: the server reads it through the same
/// <see cref="Configuration.SettingReader"/>, so defaults, validation and meaning live in one place.
/// </summary>
/// <param name="Setting">The configuration key the flag sets: an <c>S3_OVERLAY_*</c> name, or <c>urls</c>.</param>
/// <param name="Variable">The environment variable a person would otherwise set (shown in --help).</param>
public sealed record ServeFlag(string Name, string Setting, string Variable, string Default, string Meaning)
{
    public string HelpText => $"{Meaning} [env: {Variable}] [default: {Default}]";

    /// <summary>The flags people set most; everything else stays an environment or configuration setting.</summary>
    public static IReadOnlyList<ServeFlag> All { get; } =
    [
        new("--data-dir", "S3_OVERLAY_DATA_DIR", "S3_OVERLAY_DATA_DIR", "./data", "Folder of the embedded file-system store"),
        new("--listen", "urls", "ASPNETCORE_URLS", "http://127.0.0.1:8000", "Address(es) to listen on, ';'-separated (port 0: any free port)"),
        new("--tls-cert", "S3_OVERLAY_TLS_CERT", "S3_OVERLAY_TLS_CERT", "none: plain HTTP", "PEM certificate (and chain) to serve HTTPS with; the default address becomes https://127.0.0.1:8000"),
        new("--tls-key", "S3_OVERLAY_TLS_KEY", "S3_OVERLAY_TLS_KEY", "none: in the certificate file", "PEM private key of --tls-cert"),
        new("--access-key", "S3_OVERLAY_ACCESS_KEY", "S3_OVERLAY_ACCESS_KEY", "minioadmin", "Access key clients sign with"),
        new("--secret-key", "S3_OVERLAY_SECRET_KEY", "S3_OVERLAY_SECRET_KEY", "minioadmin", "Its secret key (set both or neither)"),
        new("--users", "S3_OVERLAY_USERS_FILE", "S3_OVERLAY_USERS_FILE", "none", "JSON file of users and their policies, read again when it changes"),
        new("--remote-endpoint", "S3_OVERLAY_REMOTE_ENDPOINT", "S3_OVERLAY_REMOTE_ENDPOINT", "none: AWS S3", "URL of the remote S3; any --remote-* flag turns the overlay on"),
        new("--remote-region", "S3_OVERLAY_REMOTE_REGION", "S3_OVERLAY_REMOTE_REGION", "us-east-1", "Region of the remote bucket"),
        new("--remote-access-key", "S3_OVERLAY_REMOTE_ACCESS_KEY_ID", "S3_OVERLAY_REMOTE_ACCESS_KEY_ID", "none: unsigned", "Access key for the remote"),
        new("--remote-secret-key", "S3_OVERLAY_REMOTE_SECRET_ACCESS_KEY", "S3_OVERLAY_REMOTE_SECRET_ACCESS_KEY", "none", "Its secret key"),
        new("--remote-addressing-style", "S3_OVERLAY_REMOTE_ADDRESSING_STYLE", "S3_OVERLAY_REMOTE_ADDRESSING_STYLE", "virtual", "virtual or path (MinIO and most self-hosted servers)"),
        new("--bucket-mapping", "S3_OVERLAY_BUCKET_MAPPING", "S3_OVERLAY_BUCKET_MAPPING", "none", "Remote bucket behind each local one: local1:remote1,local2:remote2"),
        new("--cache", "S3_OVERLAY_CACHE_ENABLED", "S3_OVERLAY_CACHE_ENABLED", "false", "Keep what is read from the remote: on or off (true/false)"),
        new("--chunk-size", "S3_OVERLAY_CHUNK_SIZE", "S3_OVERLAY_CHUNK_SIZE", "16777216", "Chunk size (bytes) of large cached objects"),
        new("--chunk-threshold", "S3_OVERLAY_CHUNK_THRESHOLD", "S3_OVERLAY_CHUNK_THRESHOLD", "52428800", "Objects larger than this (bytes) are cached in chunks"),
        new("--cache-max-bytes", "S3_OVERLAY_CACHE_MAX_BYTES", "S3_OVERLAY_CACHE_MAX_BYTES", "0: unlimited", "Cap on what the cache holds from the remote (bytes)"),
        new("--public-buckets", "S3_OVERLAY_PUBLIC_BUCKETS", "S3_OVERLAY_PUBLIC_BUCKETS", "none", "Comma list of buckets anyone may read"),
        new("--hidden-buckets", "S3_OVERLAY_HIDDEN_BUCKETS", "S3_OVERLAY_HIDDEN_BUCKETS", "none", "Comma list of buckets left out of listings and the browser"),
        new("--cors-origins", "S3_OVERLAY_CORS_ORIGINS", "S3_OVERLAY_CORS_ORIGINS", "none", "Comma list of origins (or *) whose pages may call the S3 API"),
        new("--metrics", "S3_OVERLAY_METRICS", "S3_OVERLAY_METRICS", "false", "Serve /_overlay/metrics to Prometheus, signed in as the admin API (true/false)"),
        new("--follow-links-out", "S3_OVERLAY_FOLLOW_LINKS_OUT", "S3_OVERLAY_FOLLOW_LINKS_OUT", "false", "Reads follow symbolic links out of a bucket's folder (true/false): serves whatever they point at"),
    ];

    /// <summary>The flag that sets <paramref name="setting"/>, to name it in an error about its value.</summary>
    public static ServeFlag? ForSetting(string setting) => All.FirstOrDefault(f => f.Setting == setting);
}
