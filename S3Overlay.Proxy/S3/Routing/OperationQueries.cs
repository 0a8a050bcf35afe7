using System.Collections.Frozen;

namespace S3Overlay.S3.Routing;

/// <summary>
/// The query parameters that choose an S3 operation (a bucket's or object's sub-resource:
/// <c>?versioning</c>, <c>?acl</c>…). The plain rows of the route table (CreateBucket,
/// DeleteBucket, PutObject…) never match a request that names one: a sub-resource we do not
/// route is answered NotImplemented, never mistaken for creating or deleting the bucket.
/// </summary>
public static class OperationQueries
{
    public static readonly IReadOnlyList<string> Names =
    [
        "accelerate", "acl", "analytics", "attributes", "cors", "delete", "encryption", "intelligent-tiering", "inventory",
        "legal-hold", "lifecycle", "location", "logging", "metadataConfiguration", "metrics", "notification", "object-lock",
        "ownershipControls", "policy", "policyStatus", "publicAccessBlock", "replication", "requestPayment", "restore",
        "retention", "select", "tagging", "torrent", "uploadId", "uploads", "versioning", "versions", "website",
    ];

    /// <summary>Matches a request that names no sub-resource.</summary>
    private static readonly FrozenSet<string> NameSet = Names.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// Whether the request's query names none of <see cref="Names"/>. The query's few parameters
    /// are looked up in the set rather than every name in the query (once a request, on every
    /// GET): the query is the exact-case one <see cref="ExactCaseQuery"/> installed, so both ways
    /// compare ordinally.
    /// </summary>
    public static bool NoneIn(Microsoft.AspNetCore.Http.HttpRequest request)
    {
        foreach (var pair in request.Query)
            if (NameSet.Contains(pair.Key)) return false;
        return true;
    }
}
