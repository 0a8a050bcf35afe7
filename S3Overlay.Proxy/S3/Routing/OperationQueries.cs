using System.Collections.Frozen;

namespace S3Overlay.S3.Routing;

/// <summary>
/// The query parameters that choose an S3 operation (a bucket's or object's sub-resource:
/// <c>?versioning</c>, <c>?acl</c>…). The plain rows of the route table (CreateBucket,
/// DeleteBucket, PutObject…) never match a request that names one: a sub-resource we do not
/// route is answered NotImplemented, never mistaken for creating or deleting the bucket.
/// </summary>
internal static class OperationQueries
{
    public static readonly IReadOnlyList<string> Names =
    [
        "accelerate", "acl", "analytics", "attributes", "cors", "delete", "encryption", "intelligent-tiering", "inventory",
        "legal-hold", "lifecycle", "location", "logging", "metadataConfiguration", "metrics", "notification", "object-lock",
        "ownershipControls", "policy", "policyStatus", "publicAccessBlock", "replication", "requestPayment", "restore",
        "retention", "select", "tagging", "torrent", "uploadId", "uploads", "versioning", "versions", "website",
    ];

    private static readonly FrozenSet<string> NameSet = Names.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// Matches a request that names no sub-resource. Runs on every request: the query's few
    /// parameters are looked up in the set, not each of the names in the query. Both compare
    /// ordinally (the query is the exact-case one <see cref="ExactCaseQuery"/> installed).
    /// </summary>
    public static bool NoneIn(Microsoft.AspNetCore.Http.HttpRequest request)
    {
        foreach (var pair in request.Query)
            if (NameSet.Contains(pair.Key)) return false;
        return true;
    }
}
