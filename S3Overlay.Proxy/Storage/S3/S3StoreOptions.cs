namespace S3Overlay.Storage.S3;

/// <summary>Where an <see cref="S3ObjectStore"/> finds its server and how it talks to it.</summary>
/// <param name="Name">What the store is to the user ("local store", "remote store"): error messages say it.</param>
/// <param name="Endpoint">The server's URL; null means AWS S3 in <paramref name="Region"/>.</param>
/// <param name="PathStyle">Path-style addressing (<c>host/bucket/key</c>), which MinIO and most self-hosted servers need.</param>
/// <param name="AccessKey">Null sends requests unsigned (public buckets).</param>
/// <param name="BucketLocation">The LocationConstraint of buckets this store creates; none for us-east-1.</param>
internal sealed record S3StoreOptions(
    string Name,
    Uri? Endpoint,
    string Region = "us-east-1",
    bool PathStyle = true,
    string? AccessKey = null,
    string? SecretKey = null,
    string? SessionToken = null,
    string? BucketLocation = null)
{
    /// <summary>How long a request may take to answer with its headers (bodies stream for as long as they need).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a body being read may go without a byte before the read fails (a stalled server).</summary>
    public TimeSpan ReadIdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the store is held as down after it was found so (no answer, no connection, an
    /// outage answer): requests meanwhile fail at once instead of each waiting out the timeout
    /// (<see cref="StoreOutage"/>). Zero: never held.
    /// </summary>
    public TimeSpan OutageHold { get; init; }

    /// <summary>
    /// Whether a 500, 502 or 504 answer means the store is down (503 to the client, and the outage
    /// hold) rather than an error to pass on as a gateway's 502: true for the proxy's own storage,
    /// whose failure makes the proxy unavailable; false for a remote it fronts.
    /// </summary>
    public bool ServerErrorsAreOutages { get; init; }

    /// <summary>
    /// One more header every GET and HEAD carries, signed (an <c>x-amz-*</c> name must be): what a
    /// fleet's replica marks its forwarded reads with.
    /// </summary>
    public (string Name, string Value)? SignedHeader { get; init; }

    /// <summary>
    /// Whether reads tell the server's version ids (<c>x-amz-version-id</c>): the local store's
    /// versions are its clients', a remote's are not (the overlay keeps none of its own there).
    /// </summary>
    public bool TellsVersions { get; init; }

    /// <summary>The endpoint as users wrote it, for messages.</summary>
    public string Describe() => $"{Name} at {Endpoint?.ToString().TrimEnd('/') ?? $"AWS S3 ({Region})"}";
}
