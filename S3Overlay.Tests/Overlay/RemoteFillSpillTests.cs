using Microsoft.Extensions.Logging.Abstractions;
using S3Overlay.Overlay;
using S3Overlay.Storage;
using S3Overlay.Telemetry;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Overlay.Fills;
using static S3Overlay.Tests.Infrastructure.Polling;

namespace S3Overlay.Tests.Overlay;

/// <summary>
/// A new file cost this disk 0.6–0.9 ms on a cold GET's way to its first byte: a fill makes its
/// spill file once its remote request is on its way, while the remote answers.
/// </summary>
[UnitTests]
public sealed class RemoteFillSpillTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("s3overlay-fill-");
    private readonly BackgroundWork _work = new(NullLogger<BackgroundWork>.Instance);
    private readonly ObjectInfo _info = new("k", 3, "\"e\"", DateTimeOffset.UnixEpoch, ObjectMetadata.Empty);

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task The_spill_file_is_made_after_the_remote_is_asked_and_before_it_answers()
    {
        var spillPath = SpillBuffer.NewPath(_folder.FullName);
        var fill = new RemoteFill(spillPath, OverlayMetrics.Standalone());
        var answer = new TaskCompletionSource<ObjectContent>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool? existedWhenAsked = null;
        Assert.True(fill.Start(_work,
            openRemote: _ =>
            {
                existedWhenAsked = File.Exists(spillPath);
                return answer.Task;
            },
            accept: _ => true, store: null, mapError: e => e, NullLogger.Instance, span: null));

        await EventuallyAsync(() => File.Exists(spillPath), "the spill file is made while the remote has not answered");
        Assert.False(existedWhenAsked);
        Assert.False(fill.Opened.IsCompleted);

        Assert.True(fill.TryJoin());
        answer.SetResult(new ObjectContent(_info, new MemoryStream("abc"u8.ToArray()), null));
        Assert.Equal(_info, await fill.Opened.WaitAsync(Wait));
        await using (var reader = fill.OpenReader(0, 3))
        {
            var buffer = new byte[3];
            await reader.ReadExactlyAsync(buffer, TestContext.Current.CancellationToken);
            Assert.Equal("abc"u8.ToArray(), buffer);
        }
        await fill.Finished.WaitAsync(Wait);
        Assert.False(File.Exists(spillPath));
    }

    [Fact]
    public async Task A_spill_file_that_cannot_be_made_fails_the_fill_and_lets_the_remote_answer_go()
    {
        var fill = new RemoteFill(Path.Combine(_folder.FullName, "no-such-folder", "spill.tmp"), OverlayMetrics.Standalone());
        var answer = new TaskCompletionSource<ObjectContent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var body = new DisposalTrackedStream(3);
        Assert.True(fill.Start(_work, openRemote: _ => answer.Task,
            accept: _ => true, store: null, mapError: e => e, NullLogger.Instance, span: null));

        await Assert.ThrowsAnyAsync<IOException>(() => fill.Opened.WaitAsync(Wait));
        await fill.Finished.WaitAsync(Wait);
        answer.SetResult(new ObjectContent(_info, body, null)); // the remote answers after all
        await EventuallyAsync(() => body.Disposed, "the late answer is disposed");
        Assert.False(fill.TryJoin());
    }
}
