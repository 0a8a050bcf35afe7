namespace S3Overlay.Storage;

/// <summary>
/// The <c>.</c> and <c>..</c> segments of a key. S3 keeps such keys as written (<c>x/../y.txt</c> is
/// its own key, never <c>y.txt</c>), but HTTP stacks resolve them in a path (RFC 3986 §5.2.4): the
/// AWS SDK, System.Uri, and servers or proxies in front of a store. Sent in a URL to another server,
/// such a key may name another object, in another bucket.
/// </summary>
internal static class DotSegments
{
    public static bool In(string key)
    {
        var rest = key.AsSpan();
        while (true)
        {
            var slash = rest.IndexOf('/');
            var segment = slash < 0 ? rest : rest[..slash];
            if (segment is "." or "..") return true;
            if (slash < 0) return false;
            rest = rest[(slash + 1)..];
        }
    }
}
