using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using S3Overlay.Configuration;
using S3Overlay.Overlay.Eviction;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Overlay;
using S3Overlay.Storage.S3;

namespace S3Overlay.Tests.Reliability;

/// <summary>
/// The overlay over an S3 local store (s3rver behind a <see cref="FaultRelay"/>) that is lost:
/// it answers 503, or takes requests and never answers. Writes fail fast
/// with 503 naming the local store; objects the remote is known to back are read from the
/// remote, byte for byte; a client's object, a deleted one and one never read answer 503, never
/// a wrong body or a deleted object back. Healed, everything resumes without a restart. The full
/// run (reliability/run.sh) takes more keys of each kind, read at once, through more outages.
/// </summary>
[ReliabilityTests]
public sealed class LostLocalStoreTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    private const int Size = 40_000;
    private static readonly int KeysOfEach = ReliabilityRun.Scale(1, 12);
    private static readonly int Outages = ReliabilityRun.Scale(1, 3);

    /// <summary>
    /// What the silent store's first write waits for. Short, but not shorter than what s3rver may
    /// take to answer on a loaded machine: at 1 s, one fresh-clone run's set-up met a slow answer
    /// counted as an outage.
    /// </summary>
    private static readonly TimeSpan LocalTimeout = TimeSpan.FromSeconds(3);

    public static readonly TheoryData<string> Kinds = ["503", "silent"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Reads_the_remote_backs_go_on_and_nothing_else_is_guessed_until_the_store_is_back(string outage)
    {
        await using var relay = await FaultRelay.StartAsync((await servers.LocalS3Async()).Url);
        // The outage hold is timed by this clock: through an outage it lasts until the test moves it.
        var clock = new OutageClock();
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.S3, new Dictionary<string, string?>(S3rverProcess.UserAt(relay.Url).AsLocalStore())
        {
            ["S3_OVERLAY_LOCAL_TIMEOUT"] = $"{LocalTimeout.TotalSeconds}",
        }, configure: b => b.Services.AddSingleton<TimeProvider>(clock));
        var world = new World(env);
        string[] Keys(string kind) => Enumerable.Range(0, KeysOfEach).Select(i => $"{kind}{i}").ToArray();
        var (filled, hit, mine, deleted) = (Keys("filled"), Keys("hit"), Keys("mine"), Keys("deleted"));
        foreach (var key in filled.Concat(hit).Concat(deleted)) await env.SeedRemoteAsync(key, Size, World.Seed(key));

        // A "hit" key is filled, then after a restart known only from a local hit on the filled copy.
        foreach (var key in hit) await world.ReadAsync(key);
        await env.FillsIdleAsync();
        foreach (var key in mine) await world.PutAsync(key, HttpStatusCode.OK);
        foreach (var key in deleted) Assert.Equal(HttpStatusCode.NoContent, (await world.Http.DeleteAsync($"{env.Bucket}/{key}")).StatusCode);
        await world.RestartAsync();
        await env.Part<CacheIndex>().Loaded.WaitAsync(TimeSpan.FromSeconds(10));
        foreach (var key in hit.Concat(filled).Concat(mine)) await world.ReadAsync(key);
        await env.FillsIdleAsync();

        var (servedFromRemote, refused, writesHeld) = (0, 0, 0);
        var (firstWrite, heldWrite) = (TimeSpan.Zero, TimeSpan.Zero);
        for (var round = 0; round < Outages; round++)
        {
            var unread = Keys($"unread{round}-");
            foreach (var key in unread) await env.SeedRemoteAsync(key, Size, World.Seed(key));

            clock.Freeze();
            relay.Plan = _ => outage == "503" ? new Fault(FaultKind.Status, Status: 503) : new Fault(FaultKind.Silent);
            // The first write finds the store down: a silent store has taken the body and never answers.
            var took = Stopwatch.StartNew();
            await world.PutAsync($"new{round}", HttpStatusCode.ServiceUnavailable);
            Assert.True(took.Elapsed < LocalTimeout + TimeSpan.FromSeconds(4), $"the first write took {took.Elapsed}");
            firstWrite = Max(firstWrite, took.Elapsed);
            // The next ones fail at once, without asking the store (the hold's clock stands still).
            var asked = relay.Requests;
            took.Restart();
            await world.PutAsync($"new{round}", HttpStatusCode.ServiceUnavailable);
            heldWrite = Max(heldWrite, took.Elapsed);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await world.Http.DeleteAsync($"{env.Bucket}/{mine[0]}")).StatusCode);
            Assert.Equal(asked, relay.Requests);

            var known = filled.Concat(hit).ToArray();
            await Task.WhenAll(known.Select(world.ReadAsync));
            await Task.WhenAll(known.Select(world.ReadRangeAsync));
            await Task.WhenAll(known.Select(world.HeadAsync));
            servedFromRemote += 3 * known.Length;
            var others = mine.Concat(deleted).Concat(unread).ToArray();
            await Task.WhenAll(others.Select(world.RefusedAsync));
            refused += 2 * others.Length;

            // Healed: the first write after the hold (2 s) finds the store back, with no restart.
            relay.Heal();
            asked = relay.Requests;
            await world.PutAsync($"new{round}", HttpStatusCode.ServiceUnavailable);
            Assert.Equal(asked, relay.Requests);
            writesHeld += 3;
            clock.AdvanceAndRun(LocalStoreSettings.OutageHold);
            await world.PutAsync($"new{round}", HttpStatusCode.OK);
            await world.ReadAsync($"new{round}");
            foreach (var key in mine) await world.ReadAsync(key);
            foreach (var key in deleted)
                Assert.Equal(HttpStatusCode.NotFound, (await world.Http.GetAsync($"{env.Bucket}/{key}")).StatusCode);
            foreach (var key in unread) await world.ReadAsync(key);
            await env.FillsIdleAsync();
            foreach (var key in unread) Assert.True(await env.IsStoredLocallyAsync(key), $"{key} was not filled after the heal");
        }
        ReliabilityRun.Report($"lost local store ({outage})",
            $"{Outages} outage(s) of s3rver as the local store, {KeysOfEach} key(s) of each kind: {servedFromRemote} reads of objects the remote backs, " +
            $"{refused} reads of a client's, deleted or unread objects, {writesHeld} writes during the hold; the first write's 503 after {firstWrite.TotalSeconds:0.00} s at most, a held write's after {heldWrite.TotalMilliseconds:0} ms",
            $"0 wrong bodies, 0 deleted objects back: every known read the remote's exact bytes, every other a 503; the writes failed with no store request; all resumed after the heal, no restart");
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>
    /// The system's clock, but through an outage, where it stands still until the test moves it on.
    /// Standing still from the start, it let a slow answer of s3rver in the set-up (past the 1 s
    /// local timeout, on a loaded machine: one fresh-clone run) begin a hold that nothing ended.
    /// </summary>
    private sealed class OutageClock : TimeProvider
    {
        private readonly Lock _gate = new();
        private DateTimeOffset? _frozenAt;
        private TimeSpan _ahead;

        public override DateTimeOffset GetUtcNow()
        {
            lock (_gate) return _frozenAt ?? DateTimeOffset.UtcNow + _ahead;
        }

        public void Freeze()
        {
            lock (_gate) _frozenAt = DateTimeOffset.UtcNow + _ahead;
        }

        /// <summary>Moves on by <paramref name="by"/> from where it stands, and runs again from there.</summary>
        public void AdvanceAndRun(TimeSpan by)
        {
            lock (_gate)
            {
                var at = (_frozenAt ?? DateTimeOffset.UtcNow + _ahead) + by;
                _ahead = at - DateTimeOffset.UtcNow;
                _frozenAt = null;
            }
        }
    }

    /// <summary>The requests of one test, each object's body a pattern seeded by its key.</summary>
    private sealed class World(OverlayEnvironment env)
    {
        public HttpClient Http { get; private set; } = env.Proxy.CreateHttpClient();

        public static int Seed(string key) => key.GetHashCode(StringComparison.Ordinal) & 0xffff;

        public async Task RestartAsync()
        {
            Http.Dispose();
            await env.RestartAsync();
            Http = env.Proxy.CreateHttpClient();
        }

        public async Task PutAsync(string key, HttpStatusCode expected)
        {
            var body = new MemoryStream();
            await PatternData.Open(Size, Seed(key)).CopyToAsync(body);
            using var response = await Http.PutAsync($"{env.Bucket}/{key}", new ByteArrayContent(body.ToArray()));
            await AssertAnswerAsync(response, expected);
        }

        public async Task ReadAsync(string key)
        {
            using var response = await Http.GetAsync($"{env.Bucket}/{key}", HttpCompletionOption.ResponseHeadersRead);
            await AssertAnswerAsync(response, HttpStatusCode.OK);
            Assert.Null(await PatternData.MismatchAsync(await response.Content.ReadAsStreamAsync(), 0, Size, Seed(key)));
        }

        public async Task ReadRangeAsync(string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{env.Bucket}/{key}") { Headers = { Range = new(1000, 1999) } };
            using var response = await Http.SendAsync(request);
            await AssertAnswerAsync(response, HttpStatusCode.PartialContent);
            Assert.Null(await PatternData.MismatchAsync(await response.Content.ReadAsStreamAsync(), 1000, 1000, Seed(key)));
        }

        public async Task HeadAsync(string key)
        {
            using var response = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"{env.Bucket}/{key}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(Size, response.Content.Headers.ContentLength);
        }

        /// <summary>GET and HEAD both answer 503, the GET's XML naming the local store.</summary>
        public async Task RefusedAsync(string key)
        {
            using (var get = await Http.GetAsync($"{env.Bucket}/{key}"))
                await AssertAnswerAsync(get, HttpStatusCode.ServiceUnavailable);
            using var head = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"{env.Bucket}/{key}"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, head.StatusCode);
        }

        private static async Task AssertAnswerAsync(HttpResponseMessage response, HttpStatusCode expected)
        {
            if (response.StatusCode == expected && expected != HttpStatusCode.ServiceUnavailable) return;
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected,
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}, not {(int)expected}");
            Assert.Contains("<Code>ServiceUnavailable</Code>", text);
            Assert.Contains("local store", text);
        }
    }
}
