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
    public async Task A_500_fails_its_request_and_three_calls_in_a_row_answered_so_hold_the_store_until_an_answer_after_the_hold()
    {
        var status = 500;
        await using var server = await ScriptedServer.StartAsync(c =>
        {
            c.Response.StatusCode = Volatile.Read(ref status);
            return Task.CompletedTask;
        });
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var store = LocalStoreFor(server.Url, clock);
        Task<StorageException> HeadAsync() => Assert.ThrowsAsync<StorageException>(() => store.HeadObjectAsync("bucket", "key", ReadConditions.None, CancellationToken.None));

        // A stray 500 (after the call's own retry) fails that call, and the next is sent: the store answers.
        var down = await HeadAsync();
        Assert.Equal((503, "ServiceUnavailable", "local store"), (down.Error.Status, down.Error.Code, down.UnreachableStore));
        Assert.Contains(server.Url, down.Message);
        Assert.Equal(2, server.Requests);
        await HeadAsync();
        Assert.Equal(4, server.Requests);
        // Any other answer between them: the 500s were not in a row.
        Volatile.Write(ref status, 404);
        Assert.Null((await HeadAsync()).UnreachableStore);
        Volatile.Write(ref status, 500);
        for (var call = 1; call < S3Overlay.Storage.S3.StoreOutage.ServerErrorsInARow; call++)
        {
            var before = server.Requests;
            Assert.Equal("local store", (await HeadAsync()).UnreachableStore);
            Assert.True(server.Requests > before, $"call {call} of a run of 500s was not sent");
        }

        // The third in a row holds the store: calls meanwhile fail at once, with the reason.
        await HeadAsync();
        var held = server.Requests;
        clock.Advance(LocalStoreSettings.OutageHold - TimeSpan.FromMilliseconds(1));
        var refused = await Assert.ThrowsAsync<StorageException>(() => store.PutObjectAsync("bucket", "key", new MemoryStream([1, 2, 3]), new ObjectWrite { ContentLength = 3 }, CancellationToken.None));
        Assert.Equal((503, "local store"), (refused.Error.Status, refused.UnreachableStore));
        Assert.Contains("answered 500", refused.Message);
        Assert.Equal(held, server.Requests);

        Volatile.Write(ref status, 404);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await HeadAsync();
        Assert.True(server.Requests > held, "the store was not tried again after the hold");
        // An answer ended the outage: the next call is sent at once.
        var asked = server.Requests;
        Assert.Null((await HeadAsync()).UnreachableStore);
        Assert.True(server.Requests > asked);
    }

    [Fact]
    public async Task A_503_holds_the_store_at_once()
    {
        await using var server = await ScriptedServer.StartAsync(c =>
        {
            c.Response.StatusCode = 503;
            return Task.CompletedTask;
        });
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var store = LocalStoreFor(server.Url, clock);

        var down = await Assert.ThrowsAsync<StorageException>(() => store.HeadObjectAsync("bucket", "key", ReadConditions.None, CancellationToken.None));
        Assert.Equal((503, "local store"), (down.Error.Status, down.UnreachableStore));
        var asked = server.Requests;
        var held = await Assert.ThrowsAsync<StorageException>(() => store.HeadObjectAsync("bucket", "key", ReadConditions.None, CancellationToken.None));
        Assert.Contains("answered 503", held.Message);
        Assert.Equal(asked, server.Requests);
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
