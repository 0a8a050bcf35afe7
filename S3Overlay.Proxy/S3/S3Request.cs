using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Routing;
using S3Overlay.Storage;

namespace S3Overlay.S3;

/// <summary>One S3 request as the handlers see it: where it points, what it is, who sent it.</summary>
internal sealed class S3Request(HttpContext http, S3Address address, S3Route route, string requestId)
{
    public HttpContext Http { get; } = http;
    public S3Address Address { get; } = address;
    public S3Route Route { get; } = route;
    public string RequestId { get; } = requestId;

    public string Bucket => Address.Bucket ?? throw new InvalidOperationException("A service-level request has no bucket.");
    public string Key => Address.Key ?? throw new InvalidOperationException("A bucket-level request has no key.");
    public string Operation => Route.Operation;

    public HttpRequest Request => Http.Request;
    public HttpResponse Response => Http.Response;
    public CancellationToken Aborted => Http.RequestAborted;

    /// <summary>
    /// The payload as the handler must read it: the authenticator replaces the raw body with a
    /// decoding, verifying stream for aws-chunked and signed payloads.
    /// </summary>
    public Stream Body { get; set; } = http.Request.Body;

    /// <summary>The access key the request was authenticated with; null when anonymous.</summary>
    public string? AccessKey { get; set; }

    /// <summary>The user who signed the request; null when anonymous.</summary>
    public Auth.S3User? User { get; set; }

    private Policies.ConditionKeys? _conditionKeys;

    /// <summary>The request's values of the policy condition keys, read when a policy first asks.</summary>
    public Policies.ConditionKeys ConditionKeys => _conditionKeys ??= Policies.ConditionKeys.Of(this);

    /// <summary>
    /// The checksums of x-amz-checksum-* headers, by algorithm, base64: <see cref="Body"/> fails
    /// unless it has them, so a write can keep them from its start.
    /// </summary>
    public IReadOnlyDictionary<string, string> DeclaredChecksums { get; set; } = ObjectMetadata.EmptyMap;

    /// <summary>
    /// The checksum of an aws-chunked trailer, by algorithm, base64: known once <see cref="Body"/>
    /// has been read to its end; null when the request announces no trailer.
    /// </summary>
    public Func<IReadOnlyDictionary<string, string>>? TrailingChecksums { get; set; }
}
