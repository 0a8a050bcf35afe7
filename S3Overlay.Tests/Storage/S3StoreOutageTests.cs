using Microsoft.AspNetCore.Http;
using S3Overlay.Configuration;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;
using S3Overlay.Storage.S3;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Tests.Storage;

/// <summary>
/// The S3 store as the local store when its server is down (docs/overlay.md, "A lost local store"): a
/// scripted server on loopback fails as each test needs, the store is driven as the overlay does.
/// </summary>
[FunctionalTests]
public class S3StoreOutageTests
{
    private static S3ObjectStore LocalStoreFor(string url, TimeProvider clock, TimeSpan? timeout = null) =>
        new(new S3StoreOptions(LocalStoreSettings.StoreName, new Uri(url), AccessKey: "k", SecretKey: "s")
        {
            RequestTimeout = timeout ?? TimeSpan.FromSeconds(10),
            OutageHold = LocalStoreSettings.OutageHold,
            ServerErrorsAreOutages = true,
        }, clock);

    [Fact]
    public async Task A_500_is_an_outage_held_for_a_while_and_any_answer_after_it_ends_the_outage()
    {
        var status = 500;
        await using var server = await ScriptedServer.StartAsync(c =>
        {
            c.Response.StatusCode = Volatile.Read(ref status);
            return Task.CompletedTask;
        });
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var store = LocalStoreFor(server.Url, clock);

        var down = await Assert.ThrowsAsync<StorageException>(() => store.HeadObjectAsync("bucket", "key", ReadConditions.None, CancellationToken.None));
        Assert.Equal((503, "ServiceUnavailable", "local store"), (down.Error.Status, down.Error.Code, down.UnreachableStore));
        Assert.Contains(server.Url, down.Message);
        var asked = server.Requests;

        clock.Advance(LocalStoreSettings.OutageHold - TimeSpan.FromMilliseconds(1));
        var held = await Assert.ThrowsAsync<StorageException>(() => store.PutObjectAsync("bucket", "key", new MemoryStream([1, 2, 3]), new ObjectWrite { ContentLength = 3 }, CancellationToken.None));
        Assert.Equal((503, "local store"), (held.Error.Status, held.UnreachableStore));
        Assert.Contains("answered 500", held.Message);
        Assert.Equal(asked, server.Requests);

        Volatile.Write(ref status, 404);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await Assert.ThrowsAsync<StorageException>(() => store.HeadObjectAsync("bucket", "key", ReadConditions.None, CancellationToken.None));
        Assert.True(server.Requests > asked, "the store was not tried again after the hold");
        // An answer ended the outage: the next call is sent at once.
        asked = server.Requests;
        var missing = await Assert.ThrowsAsync<StorageException>(() => store.HeadObjectAsync("bucket", "key", ReadConditions.None, CancellationToken.None));
        Assert.Null(missing.UnreachableStore);
        Assert.True(server.Requests > asked);
    }

    [Fact]
    public async Task A_server_that_takes_a_PUT_body_and_never_answers_fails_the_PUT_within_the_timeout()
    {
        await using var server = await ScriptedServer.StartAsync(async c =>
        {
            await c.Request.Body.CopyToAsync(Stream.Null, c.RequestAborted);
            await Task.Delay(TimeSpan.FromSeconds(60), c.RequestAborted);
        });
        using var store = LocalStoreFor(server.Url, TimeProvider.System, TimeSpan.FromMilliseconds(500));

        var put = store.PutObjectAsync("bucket", "key", new MemoryStream(new byte[100_000]), new ObjectWrite { ContentLength = 100_000 }, CancellationToken.None);
        var e = await Assert.ThrowsAsync<StorageException>(() => put.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal((503, "local store"), (e.Error.Status, e.UnreachableStore));
        Assert.Contains("no answer within 0.5 s", e.Message);
    }

    [Fact]
    public async Task A_remote_s_500_stays_a_502_and_holds_nothing()
    {
        await using var server = await ScriptedServer.StartAsync(c =>
        {
            c.Response.StatusCode = 500;
            return Task.CompletedTask;
        });
        using var store = new S3ObjectStore(new S3StoreOptions("remote store", new Uri(server.Url), AccessKey: "k", SecretKey: "s"));

        for (var i = 1; i <= 2; i++)
        {
            var e = await Assert.ThrowsAsync<StorageException>(() => store.HeadObjectAsync("bucket", "key", ReadConditions.None, CancellationToken.None));
            Assert.Equal((502, (string?)null), (e.Error.Status, e.UnreachableStore));
        }
        Assert.True(server.Requests >= 2);
    }
}
