namespace S3Overlay.Configuration.Catalog;

/// <summary>Who may use the server and what they see: users, anonymous access, hidden names, CORS.</summary>
internal static class AccessCatalog
{
    /// <summary>The default is in force only while no user at all is configured (S3/Auth/AuthSettings.cs).</summary>
    public static readonly TextSetting AccessKey = new("S3_OVERLAY_ACCESS_KEY", "minioadmin",
        "Access key clients sign with; see [Authentication](security.md#authentication)")
    { Flag = "--access-key", FlagMeaning = "Access key clients sign with" };

    public static readonly TextSetting SecretKey = new("S3_OVERLAY_SECRET_KEY", "minioadmin",
        "Its secret key (set both or neither)")
    { Flag = "--secret-key" };

    /// <summary>The section of more users, each with its keys and policy (<c>Overlay:Users:N:AccessKey</c>, …).</summary>
    public const string UsersSection = "Overlay:Users";

    public static readonly ConfigurationOnlySetting Users = new("S3_OVERLAY_USERS", ["Overlay:Users:N:AccessKey", "Overlay:Users:N:SecretKey"],
        "More users (`Overlay__Users__0__AccessKey=…`); with any user configured the default is off. A start-up error about them names the setting `S3_OVERLAY_USERS`");

    public static readonly TextSetting UsersFile = new("S3_OVERLAY_USERS_FILE", null,
        "JSON file of users and their policies, read again within a second or two when it changes ([Users and permissions](security.md#users-and-permissions))")
    { Flag = "--users", FlagMeaning = "JSON file of users and their policies, read again when it changes" };

    public static readonly ConfigurationOnlySetting UserPolicy = new(null, ["Overlay:Users:N:Policy"],
        "The user's policy: `readwrite`, `readonly`, `writeonly`, `admin`, or an IAM policy document as JSON text ([Users and permissions](security.md#users-and-permissions))")
    { Note = "everything, the admin API included" };

    public static readonly BoolSetting AllowDefaultCredentials = new("S3_OVERLAY_ALLOW_DEFAULT_CREDENTIALS", false,
        "Lets the default `minioadmin`/`minioadmin` listen on a non-loopback address");

    public static readonly TextSetting PublicBuckets = new("S3_OVERLAY_PUBLIC_BUCKETS", null,
        "Comma list of buckets anyone may read without credentials")
    { Flag = "--public-buckets", FlagMeaning = "Comma list of buckets anyone may read" };

    public static readonly TextSetting HiddenBuckets = new("S3_OVERLAY_HIDDEN_BUCKETS", null,
        "Comma list of buckets left out of ListBuckets and the web browser; still readable by name; see [Hidden buckets and prefixes](security.md#hidden-buckets-and-prefixes)")
    { Flag = "--hidden-buckets", FlagMeaning = "Comma list of buckets left out of listings and the browser" };

    public static readonly TextSetting HiddenPrefixes = new("S3_OVERLAY_HIDDEN_PREFIXES", null,
        "Comma list of `bucket/prefix`: keys under them are left out of every listing and answer `NoSuchKey`");

    public static readonly TextSetting KmsSecretKey = new("S3_OVERLAY_KMS_SECRET_KEY", null,
        "Master key of encryption at rest, `name:base64-of-32-bytes` as MinIO's `MINIO_KMS_SECRET_KEY` (`head -c 32 /dev/urandom | base64`): it seals each SSE-S3 object's data key and makes bucket default encryption possible, and it is the one SSE-KMS key (`aws:kms`), its name the key id; SSE-C needs none. Keep it: objects sealed by it cannot be read without it. See [Encryption at rest](security.md#encryption-at-rest)")
    { Note = "SSE-S3 and SSE-KMS refused, `501`" };

    public static readonly TextSetting CorsOrigins = new("S3_OVERLAY_CORS_ORIGINS", null,
        "Comma list of origins (`https://app.example.com`, `https://*.example.com`) or `*` whose pages may call the S3 API; see [CORS](security.md#cors)")
    { Flag = "--cors-origins", FlagMeaning = "Comma list of origins (or *) whose pages may call the S3 API", Note = "no CORS" };
}
