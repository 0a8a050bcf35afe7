namespace S3Overlay.Configuration.Catalog;

/// <summary>The remote S3 the overlay reads from (read by Storage/S3/RemoteStoreSettings.cs), and which of its buckets it may read.</summary>
internal static class RemoteCatalog
{
    public static readonly TextSetting Endpoint = new("S3_OVERLAY_REMOTE_ENDPOINT", null,
        "URL of the remote S3 (any S3 API). The remote is on when this, `S3_OVERLAY_REMOTE_REGION`, `S3_OVERLAY_REMOTE_ACCESS_KEY_ID`, `S3_OVERLAY_REMOTE_SECRET_ACCESS_KEY` or `ConnectionStrings__remote` is set (no endpoint then means AWS S3); the addressing style, session token and timeout alone do not turn it on. See [Overlay](overlay.md)")
    {
        Flag = "--remote-endpoint",
        FlagMeaning = "URL of the remote S3; it, --remote-region, --remote-access-key or --remote-secret-key turns the overlay on",
        Note = "AWS S3",
    };

    public static readonly TextSetting Region = new("S3_OVERLAY_REMOTE_REGION", "us-east-1",
        "Region of the remote bucket (signing; the AWS endpoint when no URL is given)")
    { Flag = "--remote-region", FlagMeaning = "Region of the remote bucket" };

    /// <summary>The original's default is virtual-host style (AWS); a connection string names a MinIO-like server, which wants path style.</summary>
    public static readonly TextSetting AddressingStyle = new("S3_OVERLAY_REMOTE_ADDRESSING_STYLE", "virtual",
        "`virtual` (`bucket.host`, also `auto`) or `path` (`host/bucket`, MinIO and most self-hosted servers); anything else stops start-up")
    {
        Flag = "--remote-addressing-style",
        FlagMeaning = "virtual or path (MinIO and most self-hosted servers)",
        Note = "`path` for a connection string",
    };

    public static readonly TextSetting AccessKeyId = new("S3_OVERLAY_REMOTE_ACCESS_KEY_ID", null,
        "Credentials with read access to the remote bucket")
    { Flag = "--remote-access-key", FlagMeaning = "Access key for the remote", Note = "unsigned requests" };

    public static readonly TextSetting SecretAccessKey = new("S3_OVERLAY_REMOTE_SECRET_ACCESS_KEY", null,
        "Its secret key")
    { Flag = "--remote-secret-key" };

    public static readonly TextSetting SessionToken = new("S3_OVERLAY_REMOTE_SESSION_TOKEN", null,
        "Session token for temporary credentials");

    /// <summary>One number for both waits: how long the remote may take to begin an answer, and to send the next byte of a body.</summary>
    public static readonly DurationSetting Timeout = new("S3_OVERLAY_REMOTE_TIMEOUT", TimeSpan.FromSeconds(30),
        "How long the remote may take to begin an answer (connecting to it may take at most 5 s of it), and to send the next byte of a body; past it the read fails (`503`)")
    { Positive = true };

    public static readonly ExternalSetting ConnectionString = new("ConnectionStrings__remote", "ConnectionStrings:remote", null,
        "The remote as Aspire passes it: `Endpoint=…;AccessKey=…;SecretKey=…` (optional `Region=…`)");

    public static readonly TextSetting BucketMapping = new("S3_OVERLAY_BUCKET_MAPPING", null,
        "Remote bucket behind each local bucket: `local1:remote1,local2:remote2`. A bucket not listed is local-only, unless `S3_OVERLAY_REMOTE_BUCKETS` names it (or is `*`): then it reads the remote bucket of its own name. See [Overlay](overlay.md)")
    { Flag = "--bucket-mapping", FlagMeaning = "Remote bucket behind each local one: local1:remote1,local2:remote2" };

    public static readonly ConfigurationOnlySetting Buckets = new(null, ["Overlay:Buckets:NAME:…"],
        "Buckets one by one (`Overlay__Buckets__NAME__…`), each with its own remote or folder and flags; see [below](#many-targets-one-server-bucket-configuration)");

    public static readonly TextSetting RemoteBuckets = new("S3_OVERLAY_REMOTE_BUCKETS", null,
        "Remote buckets the overlay may read besides the mapping's: `a,b`, or `*` for any bucket its credentials can read. Other buckets are local-only: the remote is never asked about them. The start-up log says what the remote is open to")
    { Note = "the mapping's remote buckets only" };
}
