using S3Overlay.Storage.Errors;

namespace S3Overlay.Storage.S3;

/// <summary>
/// The one check of where the S3 store's requests go (DESIGN.md, security model): each request
/// its HTTP client sends must name exactly the bucket and key the store's call was made for,
/// declared by <see cref="Declare"/> for the call's async flow. The SDK resolves <c>.</c> and
/// <c>..</c> in the path it builds, so the key <c>../priv/keep.txt</c> of bucket <c>pubw</c> left as
/// <c>/priv/keep.txt</c>: a write into a bucket nobody had authorized. Such keys are refused before
/// any request (<see cref="Refuse"/>); this check on the wire catches whatever another call, or
/// another version of a library, would let through. It fails closed: a request whose call declared
/// no target is not sent.
/// </summary>
internal static class RequestTarget
{
    private static readonly AsyncLocal<Target?> Current = new();

    private sealed record Target(string? Bucket, string? Key);

    /// <summary>What the requests sent from here on, in this async flow, are for: the service (no bucket), a bucket, or an object.</summary>
    public static void Declare(string? bucket, string? key) => Current.Value = new Target(bucket, key);

    /// <summary>A key that cannot be sent intact is refused as MinIO refuses it, naming why.</summary>
    public static void Refuse(string? key)
    {
        if (key is not null && DotSegments.In(key))
            throw new StorageException(StorageFault.InvalidKey, key, 
                "Object name contains unsupported characters: a '.' or '..' segment cannot reach the S3 store intact (HTTP resolves it to another key).");
    }

    /// <summary>Throws when <paramref name="request"/> would reach anything but its call's declared bucket and key.</summary>
    public static void Check(HttpRequestMessage request)
    {
        if (Current.Value is not { } target)
            throw new MisdirectedRequestException($"{request.Method} {request.RequestUri}: the store's call declared no target");
        var uri = request.RequestUri!;
        var path = Uri.UnescapeDataString(uri.AbsolutePath);
        var host = uri.Host;
        var sent = target switch
        {
            { Bucket: null } => path == "/",
            { Key: null } b => path is var p && (p == "/" + b.Bucket || p == "/" + b.Bucket + "/" || (p == "/" && InHost(host, b.Bucket))),
            var o => path == "/" + o.Bucket + "/" + o.Key || (path == "/" + o.Key && InHost(host, o.Bucket)),
        };
        // Sent intact is not enough for a dot segment: the server, or a proxy before it, may resolve it.
        if (!sent || (target.Key is { } key && DotSegments.In(key)) || !CopySourceIsTarget(request, target))
            throw new MisdirectedRequestException($"{request.Method} {uri} does not name {target.Bucket}/{target.Key}");
    }

    private static bool InHost(string host, string bucket) =>
        host.Length > bucket.Length + 1 && host.StartsWith(bucket, StringComparison.Ordinal) && host[bucket.Length] == '.';

    /// <summary>The store copies an object only onto itself (a metadata rewrite): a copy source must be the target too.</summary>
    private static bool CopySourceIsTarget(HttpRequestMessage request, Target target)
    {
        if (!request.Headers.TryGetValues("x-amz-copy-source", out var values)) return true;
        var source = Uri.UnescapeDataString(values.Single()).TrimStart('/');
        return target.Key is not null && source == target.Bucket + "/" + target.Key;
    }
}

/// <summary>A request the store was about to send to another bucket or key than its call's: a defect, never sent.</summary>
internal sealed class MisdirectedRequestException(string message) : Exception(message);

/// <summary>The store's HTTP client checks every request it sends (<see cref="RequestTarget.Check"/>).</summary>
internal sealed class RequestTargetHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        RequestTarget.Check(request);
        return base.SendAsync(request, ct);
    }
}
