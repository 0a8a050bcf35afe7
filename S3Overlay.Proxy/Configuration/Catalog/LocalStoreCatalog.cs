namespace S3Overlay.Configuration.Catalog;

/// <summary>MinIO or any S3 server as the local store, instead of the embedded one (read by Storage/S3/LocalStoreSettings.cs).</summary>
internal static class LocalStoreCatalog
{
    public static readonly TextSetting Endpoint = new("S3_OVERLAY_LOCAL_ENDPOINT", null,
        "URL of MinIO or any S3 server to use as the local store instead of the embedded one; see [MinIO or any S3 as the local store](stores.md#minio-or-any-s3-as-the-local-store)")
    { Note = "embedded store" };

    public static readonly TextSetting AccessKey = new("S3_OVERLAY_LOCAL_ACCESS_KEY", "minioadmin",
        "Its access key (this wins over the connection string's)");

    public static readonly TextSetting SecretKey = new("S3_OVERLAY_LOCAL_SECRET_KEY", "minioadmin",
        "Its secret key");

    public static readonly TextSetting SessionToken = new("S3_OVERLAY_LOCAL_SESSION_TOKEN", null,
        "Its session token, for temporary credentials");

    public static readonly TextSetting Region = new("S3_OVERLAY_LOCAL_REGION", "us-east-1",
        "Region the local store's requests are signed for");

    /// <summary>
    /// One number for both waits, as for the remote: how long the store may take to begin an answer
    /// (or to take an upload's next bytes), and to send the next byte of a body. Shorter than the
    /// remote's: the local store is near, and a read of an object the remote holds goes on without
    /// it once it is found down (Overlay/LostLocal/).
    /// </summary>
    public static readonly DurationSetting Timeout = new("S3_OVERLAY_LOCAL_TIMEOUT", TimeSpan.FromSeconds(10),
        "How long the local S3 store may take to begin an answer (connecting to it may take at most 5 s of it; an upload's: to take its next bytes, and to answer after the last), and to send the next byte of a body; past it the request fails (`503`) and the store is held as down for 2 s; see [A lost local store](overlay.md#a-lost-local-store)")
    { Positive = true };

    public static readonly TextSetting DefaultBucketLocation = new("S3_OVERLAY_DEFAULT_BUCKET_LOCATION", "us-east-1",
        "LocationConstraint of buckets created in the local S3 store (none sent for `us-east-1`)");

    public static readonly TextSetting ConnectionName = new("S3_OVERLAY_LOCAL_CONNECTION_NAME", "local",
        "Name of the Aspire connection string for the local store: `ConnectionStrings__local`");

    public static readonly ExternalSetting ConnectionString = new("ConnectionStrings__local", "ConnectionStrings:local", null,
        "The local S3 store as Aspire passes it: `Endpoint=http://host:9000;AccessKey=…;SecretKey=…` (optional `Region=…`)");
}
