using S3Overlay.Overlay.Chunks;
using S3Overlay.Streams;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Overlay.Chunks;

/// <summary>
/// Which chunk a reader reads ahead, judged by what its client has taken. The chunk read ahead
/// is the one after the chunk holding the last byte taken: that chunk is open by then, so an open
/// whole answer of the object, which gives its chunks in order, can give the one read ahead too.
/// </summary>
[UnitTests]
public sealed class ChunkedBodyReadAheadTests
{
    private const long Chunk = 2 * ChunkedBody.ReadOnAfter;

    /// <summary>
    /// A client that has taken all of chunk 0, exactly, and not yet a byte of chunk 1: chunk 1 is
    /// read ahead, not chunk 2 (seen as a crowd's last chunk fetched a second time: chunk 2's
    /// read-ahead came before chunk 1 was claimed from the whole answer, which could then not
    /// give it, and asked the remote for it on its own).
    /// </summary>
    [Fact]
    public async Task A_client_that_took_a_whole_chunk_has_the_next_chunk_read_ahead_not_the_one_after()
    {
        var progress = new TakenSoFar();
        var readAhead = new List<int>();
        var opened = new List<int>();
        await using var body = new ChunkedBody(new ChunkLayout(3 * Chunk, Chunk), 0, 3 * Chunk,
            (index, offset, length, _, _) =>
            {
                opened.Add(index);
                return Task.FromResult<Stream>(new MemoryStream(new byte[length]));
            },
            (index, _) => readAhead.Add(index)) { Progress = progress };
        var buffer = new byte[64 * 1024];

        await ReadAsync(body, buffer, Chunk);
        progress.Taken = Chunk; // the client took all of chunk 0, and nothing of chunk 1 yet
        await ReadAsync(body, buffer, 1);

        Assert.Equal([1], readAhead);
        Assert.Equal([0, 1], opened);

        // A byte of chunk 1 taken: chunk 2 now, once.
        await ReadAsync(body, buffer, Chunk - 1);
        progress.Taken = Chunk + 1;
        await ReadAsync(body, buffer, 1);
        Assert.Equal([1, 2], readAhead);
    }

    private static async Task ReadAsync(Stream body, byte[] buffer, long count)
    {
        while (count > 0)
        {
            var read = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)));
            Assert.True(read > 0);
            count -= read;
        }
    }

    /// <summary>
    /// A range that begins one byte before chunk 1, whose reader took that byte and went at once
    /// (its connection tells nothing any more): chunk 1 is read ahead as that byte is given, for
    /// good, not left to whether the reader is still there when the body asks for chunk 1 (two
    /// identical passes of such reads differed by a chunk when the reader's hang-up came first in
    /// one and the body's look in the other).
    /// </summary>
    [Fact]
    public async Task A_range_that_begins_within_the_slack_before_a_chunk_reads_it_ahead_whether_or_not_its_reader_stays()
    {
        var readAhead = new List<(int Index, bool Cancellable)>();
        await using (var body = new ChunkedBody(new ChunkLayout(3 * Chunk, Chunk), Chunk - 1, 2 * Chunk + 1,
            (_, _, length, _, _) => Task.FromResult<Stream>(new MemoryStream(new byte[length])),
            (index, wanted) => readAhead.Add((index, wanted.CanBeCanceled))) { Progress = new Gone(Slack: 64 * 1024) })
        {
            await ReadAsync(body, new byte[64 * 1024], 1);
        }
        Assert.Equal([(1, false)], readAhead);
    }

    /// <summary>A reader whose connection has gone: it tells no progress, only the slack it had.</summary>
    private sealed record Gone(long Slack) : IReaderProgress
    {
        public long? Taken => null;
    }

    private sealed class TakenSoFar : IReaderProgress
    {
        public long? Taken { get; set; } = 0;
        public long Slack => 0;
    }
}
