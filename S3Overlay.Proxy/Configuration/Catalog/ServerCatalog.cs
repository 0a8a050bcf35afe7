namespace S3Overlay.Configuration.Catalog;

/// <summary>The server itself, whatever store is behind it: where it keeps data, listens, and how it speaks HTTP.</summary>
internal static class ServerCatalog
{
    public static readonly PathSetting DataDir = new("S3_OVERLAY_DATA_DIR", "./data",
        "Folder of the embedded file-system store")
    { Flag = "--data-dir" };

    /// <summary>The original listens on 8000; ASP.NET Core's <c>urls</c> (<c>--urls</c>, <c>ASPNETCORE_URLS</c>) still wins.</summary>
    public static readonly ExternalSetting Listen = new("ASPNETCORE_URLS", "urls", "http://127.0.0.1:8000",
        "Address(es) to listen on, `;`-separated (port 0: any free port); also `--urls`")
    {
        Flag = "--listen",
        FlagMeaning = "Address(es) to listen on, ';'-separated (port 0: any free port)",
        Note = "`https://` with a certificate",
    };

    public static readonly TextSetting TlsCert = new("S3_OVERLAY_TLS_CERT", null,
        "PEM certificate (its chain may follow it, its key too) to serve HTTPS with; see [HTTPS](deployment.md#https)")
    {
        Flag = "--tls-cert",
        FlagMeaning = "PEM certificate (and chain) to serve HTTPS with; the default address becomes https://127.0.0.1:8000",
        Note = "plain HTTP",
    };

    public static readonly TextSetting TlsKey = new("S3_OVERLAY_TLS_KEY", null,
        "PEM private key of that certificate")
    { Flag = "--tls-key", FlagMeaning = "PEM private key of --tls-cert", Note = "in the certificate file" };

    public static readonly BoolSetting Sendfile = new("S3_OVERLAY_SENDFILE", true,
        "Linux, plain HTTP/1.x: bodies of 64 KiB and more that are files (local objects and cached chunks of the embedded store, and a fill's bytes as they arrive) are sent by the kernel (`sendfile`) instead of copied through the proxy; `false` copies every body");

    /// <summary>Kestrel's minimum response data rate's grace, its rate kept (240 bytes a second).</summary>
    public static readonly DurationSetting SendTimeout = new("S3_OVERLAY_SEND_TIMEOUT", TimeSpan.FromSeconds(60),
        "How long a response may wait for its client to take its next 256 KiB before the connection is closed (nginx's `send_timeout` and RGW's request timeout are about a minute; Kestrel's own, 5 s, cut readers that paused under load)")
    { Positive = true };

    /// <summary>Kestrel's minimum request body data rate's grace, its rate kept (240 bytes a second).</summary>
    public static readonly DurationSetting ReceiveTimeout = new("S3_OVERLAY_RECEIVE_TIMEOUT", TimeSpan.FromSeconds(60),
        "How long a request's body may be slower than 240 bytes a second (counted from its first read) before it is answered `RequestTimeout`, as S3 answers a stalled upload (nginx's `client_body_timeout` is a minute; Kestrel's own, 5 s, cut clients starved on busy cores)")
    { Positive = true };

    public static readonly TextSetting BaseDomain = new("S3_OVERLAY_BASE_DOMAIN", null,
        "Enables virtual-host style: `bucket.<domain>`");

    public static readonly TextSetting Region = new("S3_OVERLAY_REGION", "us-east-1",
        "Region the server reports and signs for");
}
