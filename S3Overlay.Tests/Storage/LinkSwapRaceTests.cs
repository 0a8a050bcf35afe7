using S3Overlay.Storage;
using S3Overlay.Storage.FileSystem;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Storage;

/// <summary>
/// Someone who can write into a served folder swaps a folder the store is writing into for a link
/// out of it, over and over, while PUTs, multipart completions and deletes run there: no file and
/// no folder ever appears outside (each write's folders are opened from the bucket's own handle,
/// never looked up by path again).
/// </summary>
[UnitTests]
public sealed class LinkSwapRaceTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly ObjectWrite Unflushed = new() { Durability = Durability.Unchecked }; // the race is in the folders, not the disk
    private readonly string _root = Directory.CreateTempSubdirectory("s3overlay-linkrace-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_folder_swapped_for_a_link_out_during_writes_never_lets_one_escape()
    {
        if (!OperatingSystem.IsLinux()) Assert.Skip("The store is proof against this race on Linux (openat2); elsewhere it checks paths");
        var outside = Directory.CreateDirectory(Path.Join(_root, "outside")).FullName;
        var store = new FileSystemObjectStore(Path.Join(_root, "data"), TimeProvider.System, new FileSystemStoreOptions(MinimumPartSize: 1));
        await store.CreateBucketAsync("b", None);
        var race = Path.Join(_root, "data", "b", "race");

        using var stop = new CancellationTokenSource();
        var swaps = 0;
        var swapping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // A thread of its own, and the writers wait for its first swap: queued on a thread pool the
        // writers and the tests beside this one kept busy, it once started only after the writers
        // had finished (0 swaps in a fresh-clone run), and nothing was raced.
        var swapper = Task.Factory.StartNew(() =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                try { Directory.Move(race, Path.Join(_root, "data", "b", "parked-" + n)); } catch (IOException) { }
                try
                {
                    Directory.CreateSymbolicLink(race, outside);
                    swaps++;
                    swapping.TrySetResult();
                }
                catch (IOException) { }
                Thread.Yield();
                try { File.Delete(race); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }, TaskCreationOptions.LongRunning);
        await swapping.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var writes = 0;
        var writers = Enumerable.Range(0, 3).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 60; i++)
            {
                var key = (i % 3) switch { 0 => $"race/w{w}-{i}", 1 => $"race/deep/w{w}-{i}", _ => $"race/mp/w{w}-{i}" };
                if (i % 3 == 2) await CompleteMultipartAsync(store, key);
                else await store.PutObjectAsync("b", key, new MemoryStream("escaped?"u8.ToArray()), Unflushed, None);
                Interlocked.Increment(ref writes);
                if (i % 5 == 0) await store.DeleteObjectAsync("b", key, None);
            }
        })).ToArray();
        await Task.WhenAll(writers);
        stop.Cancel();
        await swapper;

        Assert.True(swaps > 10, $"the link was swapped in {swaps} times: too few to race anything");
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside, "*", SearchOption.AllDirectories));
        Assert.Equal(180, writes);
    }

    private static async Task CompleteMultipartAsync(FileSystemObjectStore store, string key)
    {
        var upload = await store.CreateMultipartUploadAsync("b", key, new ObjectWrite(), None);
        var part = await store.UploadPartAsync("b", key, upload, 1, new MemoryStream("escaped?"u8.ToArray()), new ObjectWrite(), None);
        await store.CompleteMultipartUploadAsync("b", key, upload, [new CompletedPart(1, part.ETag)], null, WriteCondition.None, None);
    }
}
