using S3Overlay.Overlay;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Overlay.Fills;

namespace S3Overlay.Tests.Overlay;

/// <summary>
/// A fill's body passes through its spill file piece by piece (a dozen pieces per MiB), and a
/// thread hop per piece is a wake-up each, dear on a virtual machine (see SpillBuffer.Append):
/// bytes are written and read on the caller's thread, and a reader waiting for bytes resumes on
/// the writer's.
/// </summary>
[UnitTests]
public sealed class SpillBufferTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("s3overlay-spill-");
    private readonly SpillBuffer _spill;

    public SpillBufferTests()
    {
        _spill = new SpillBuffer(SpillBuffer.NewPath(_folder.FullName));
        _spill.Create();
    }

    public void Dispose()
    {
        _spill.Release();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task Bytes_already_written_are_read_before_ReadAsync_returns()
    {
        _spill.Expect(6);
        _spill.Append("abc"u8);
        Assert.True(_spill.TryAcquire());
        await using var reader = _spill.OpenReader(1, 5);
        var buffer = new byte[8];

        var read = reader.ReadAsync(buffer, TestContext.Current.CancellationToken);
        Assert.True(read.IsCompletedSuccessfully);
        Assert.Equal("bc", System.Text.Encoding.ASCII.GetString(buffer, 0, await read));
    }

    [Fact]
    public async Task A_reader_waiting_for_bytes_resumes_on_the_writers_thread_with_them()
    {
        _spill.Expect(3);
        Assert.True(_spill.TryAcquire());
        await using var reader = _spill.OpenReader(0, 3);
        var buffer = new byte[8];
        var resumedOn = 0;
        async Task<int> ReadAndNote()
        {
            var n = await reader.ReadAsync(buffer, TestContext.Current.CancellationToken).ConfigureAwait(false);
            resumedOn = Environment.CurrentManagedThreadId;
            return n;
        }

        var read = ReadAndNote();
        Assert.False(read.IsCompleted); // nothing written yet: it waits
        var writerThread = 0;
        var writer = new Thread(() =>
        {
            writerThread = Environment.CurrentManagedThreadId;
            _spill.Append("xyz"u8);
        });
        writer.Start();
        writer.Join();

        Assert.True(read.IsCompletedSuccessfully, "the reader had its bytes by the time Append returned");
        Assert.Equal(writerThread, resumedOn);
        Assert.Equal("xyz", System.Text.Encoding.ASCII.GetString(buffer, 0, await read));
    }
}
