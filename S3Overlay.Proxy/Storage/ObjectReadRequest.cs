namespace S3Overlay.Storage;

public sealed record ObjectReadRequest(ByteRange? Range, ReadConditions Conditions)
{
    public static readonly ObjectReadRequest Whole = new(null, ReadConditions.None);

    /// <summary>Another replica of the fleet forwarded this read to this one, its owner: it is filled here, never forwarded again.</summary>
    public bool FromPeer { get; init; }
}
