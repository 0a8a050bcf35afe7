using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Fleet;

/// <summary>
/// A fleet's promise under load: a crowd of cold readers of one key, spread over three replicas by
/// the balancer, costs the remote one GET of the object however busy the machine is, key after
/// key (both cores kept busy by other processes). One extra GET for one key fails the run.
/// </summary>
[Collection(RunsAlone.Name)]
public abstract class FleetCrowdColdReadTests<TFleet>(TFleet fleet, ITestOutputHelper output) : IClassFixture<TFleet>, IAsyncLifetime
    where TFleet : FleetFixture
{
    private const int Readers = 48;
    private const long Size = 48 * 1024; // under the chunk threshold: one whole fill

    public ValueTask InitializeAsync()
    {
        if (fleet.Unavailable is { } why) Assert.Skip(why);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task A_crowd_of_cold_readers_of_each_object_costs_the_remote_one_GET_on_a_busy_machine()
    {
        var prefix = Guid.NewGuid().ToString("N")[..8] + "/";
        var keys = Enumerable.Range(0, 8).Select(i => $"{prefix}crowd-{i}.bin").ToArray();
        for (var i = 0; i < keys.Length; i++) await fleet.SeedAsync(keys[i], Size, i);

        var found = new List<string>();
        using (new BusyCores())
        {
            for (var i = 0; i < keys.Length; i++)
            {
                fleet.Relay.ResetCounts();
                var (key, seed) = (keys[i], i);
                await Task.WhenAll(Enumerable.Range(0, Readers).Select(async _ =>
                {
                    await Task.Yield();
                    using var response = await fleet.Client.GetObjectAsync(new GetObjectRequest { BucketName = fleet.Bucket, Key = key });
                    Assert.Null(await PatternData.MismatchAsync(response.ResponseStream, 0, Size, seed));
                }));
                if (fleet.Relay.Requests("GET") != 1) found.Add($"{key}: {fleet.Relay.Described}");
            }
        }
        output.WriteLine(fleet.RecentLogs);
        Assert.True(found.Count == 0, string.Join("\n", found));
    }
}

/// <summary>The fleet over our own server as the shared store.</summary>
[FunctionalTests]
public sealed class FleetCrowdColdReadTests(FleetFixture fleet, ITestOutputHelper output) : FleetCrowdColdReadTests<FleetFixture>(fleet, output);

/// <summary>The fleet over Ceph's RADOS Gateway as the shared store.</summary>
[FunctionalTests]
public sealed class FleetCrowdColdReadsOverRgwTests(RgwFleetFixture fleet, ITestOutputHelper output) : FleetCrowdColdReadTests<RgwFleetFixture>(fleet, output);
