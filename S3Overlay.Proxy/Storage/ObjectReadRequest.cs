namespace S3Overlay.Storage;

public sealed record ObjectReadRequest(ByteRange? Range, ReadConditions Conditions)
{
    public static readonly ObjectReadRequest Whole = new(null, ReadConditions.None);
}
