namespace S3Overlay.S3.Notifications;

/// <summary>
/// The event types a configuration may name, as S3 lists them (a family's <c>*</c> included), and
/// how a configured name matches an event this server raises.
/// </summary>
internal static class NotificationEventNames
{
    public const string Put = "s3:ObjectCreated:Put";
    public const string Post = "s3:ObjectCreated:Post";
    public const string Copy = "s3:ObjectCreated:Copy";
    public const string CompleteMultipartUpload = "s3:ObjectCreated:CompleteMultipartUpload";
    public const string Delete = "s3:ObjectRemoved:Delete";
    public const string DeleteMarkerCreated = "s3:ObjectRemoved:DeleteMarkerCreated";
    public const string TaggingPut = "s3:ObjectTagging:Put";
    public const string TaggingDelete = "s3:ObjectTagging:Delete";
    public const string AclPut = "s3:ObjectAcl:Put";
    public const string ExpirationDelete = "s3:LifecycleExpiration:Delete";
    public const string ExpirationDeleteMarkerCreated = "s3:LifecycleExpiration:DeleteMarkerCreated";

    // MinIO's access events: not S3's, but what MinIO users configure for reads (mc's and the
    // console's "get" is s3:ObjectAccessed:*), so their configurations work here unchanged.
    public const string AccessedGet = "s3:ObjectAccessed:Get";
    public const string AccessedHead = "s3:ObjectAccessed:Head";
    public const string AccessedGetRetention = "s3:ObjectAccessed:GetRetention";
    public const string AccessedGetLegalHold = "s3:ObjectAccessed:GetLegalHold";
    public const string AccessedAttributes = "s3:ObjectAccessed:Attributes";

    /// <summary>
    /// Every name S3 accepts in a configuration, and MinIO's access events. Those of features this
    /// server does not have (restores, replication, transitions) are accepted, as S3 accepts them,
    /// and never raised.
    /// </summary>
    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        "s3:ObjectCreated:*", Put, Post, Copy, CompleteMultipartUpload,
        "s3:ObjectRemoved:*", Delete, DeleteMarkerCreated,
        "s3:ObjectTagging:*", TaggingPut, TaggingDelete,
        AclPut,
        "s3:LifecycleExpiration:*", ExpirationDelete, ExpirationDeleteMarkerCreated,
        "s3:ObjectAccessed:*", AccessedGet, AccessedHead, AccessedGetRetention, AccessedGetLegalHold, AccessedAttributes,
        "s3:ObjectRestore:*", "s3:ObjectRestore:Post", "s3:ObjectRestore:Completed", "s3:ObjectRestore:Delete",
        "s3:ReducedRedundancyLostObject", "s3:LifecycleTransition", "s3:IntelligentTiering",
        "s3:Replication:*", "s3:Replication:OperationFailedReplication", "s3:Replication:OperationMissedThreshold",
        "s3:Replication:OperationReplicatedAfterThreshold", "s3:Replication:OperationNotTracked",
    };

    /// <summary>The access event a client's request by <paramref name="operation"/> raises as it reads an object, as MinIO names it; null for any other request.</summary>
    public static string? Accessed(string? operation) => operation switch
    {
        "GetObject" => AccessedGet,
        "HeadObject" => AccessedHead,
        "GetObjectRetention" => AccessedGetRetention,
        "GetObjectLegalHold" => AccessedGetLegalHold,
        "GetObjectAttributes" => AccessedAttributes,
        _ => null,
    };

    /// <summary>Whether a configured name (<c>s3:ObjectCreated:*</c>, or one exact name) takes <paramref name="raised"/>.</summary>
    public static bool Matches(string configured, string raised) =>
        configured.EndsWith(":*", StringComparison.Ordinal)
            ? raised.StartsWith(configured.AsSpan(0, configured.Length - 1), StringComparison.Ordinal)
            : string.Equals(configured, raised, StringComparison.Ordinal);

    /// <summary>Whether two configured names have an event type in common (a family and one of its members do).</summary>
    public static bool Share(string a, string b) => Matches(a, b) || Matches(b, a) || string.Equals(a, b, StringComparison.Ordinal);
}
