namespace S3Overlay.Storage.Encryption;

/// <summary>One segment of an encrypted object: where its header starts, the plaintext it holds, and its salt when known.</summary>
internal sealed record SegmentSpan(long CipherOffset, long PlainOffset, long PlainLength, byte[]? Salt)
{
    public long PlainEnd => PlainOffset + PlainLength;
}

/// <summary>An encrypted object's segments in order: one for an object written in one piece, one per part for a multipart one.</summary>
internal sealed record SegmentLayout(IReadOnlyList<SegmentSpan> Segments)
{
    public long PlaintextSize => Segments.Count == 0 ? 0 : Segments[^1].PlainEnd;

    /// <summary>The segment holding plaintext byte <paramref name="offset"/>.</summary>
    public int IndexOf(long offset)
    {
        var lo = 0;
        var hi = Segments.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (Segments[mid].PlainOffset <= offset) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    /// <summary>The sealed bytes a plaintext range needs: from its first package to the end of its last, inclusive.</summary>
    public (long First, long Last, int Segment, long Package, long Skip) SealedRange(ResolvedRange range)
    {
        var s = IndexOf(range.Offset);
        var first = Segments[s];
        var package = (range.Offset - first.PlainOffset) / Segment.PackageSize;
        var e = IndexOf(range.Last);
        var last = Segments[e];
        var lastPackage = (range.Last - last.PlainOffset) / Segment.PackageSize;
        var lastPlain = Math.Min(Segment.PackageSize, last.PlainLength - lastPackage * Segment.PackageSize);
        var end = last.CipherOffset + Segment.PackageOffset(lastPackage) + lastPlain + Segment.TagSize - 1;
        return (first.CipherOffset + Segment.PackageOffset(package), end, s, package, range.Offset - first.PlainOffset - package * Segment.PackageSize);
    }
}
