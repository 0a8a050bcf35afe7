using S3Overlay.Storage;

namespace S3Overlay.Overlay.Chunks;

/// <summary>
/// Fixed, aligned chunks of one object: chunk i holds bytes [i·ChunkSize, (i+1)·ChunkSize) and the
/// last one what remains. Alignment makes every reader of a byte agree on which chunk holds it,
/// so chunks are shared between ranges and never overlap (per-range caching explodes storage).
/// </summary>
internal readonly record struct ChunkLayout(long ObjectSize, long ChunkSize)
{
    public int Count => ObjectSize == 0 ? 0 : (int)((ObjectSize + ChunkSize - 1) / ChunkSize);

    public int IndexOf(long offset) => (int)(offset / ChunkSize);

    public long StartOf(int index) => index * ChunkSize;

    public long LengthOf(int index) => Math.Min(ChunkSize, ObjectSize - StartOf(index));

    /// <summary>The chunk's bytes as a range of the remote object (for a ranged remote GET).</summary>
    public ByteRange RangeOf(int index) => new(StartOf(index), StartOf(index) + LengthOf(index) - 1);
}
