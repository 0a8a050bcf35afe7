using S3Overlay.Notifications.Outbox;
using StackExchange.Redis;

namespace S3Overlay.Notifications.Targets;

/// <summary>
/// MinIO's Redis target, in its two formats: <c>namespace</c> keeps a hash (the key) of each
/// object's last event, an entry set by a creation and removed by a removal; <c>access</c>
/// appends every event to a list (the key), as <c>[{"Event": [record], "EventTime": …}]</c>.
/// </summary>
internal sealed class RedisTarget(string arn, ConfigurationOptions options, string key, bool access) : INotificationTarget
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ConnectionMultiplexer? _redis;

    public string Arn => arn;

    /// <summary>The multiplexer pipelines commands on its one connection.</summary>
    public int InFlight => 16;

    public async Task SendAsync(OutboxEvent e, CancellationToken ct)
    {
        var database = (await ConnectAsync(ct)).GetDatabase();
        if (access)
            await database.ListRightPushAsync(key, $"[{{\"Event\":[{e.Record}],\"EventTime\":\"{e.Time.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}\"}}]");
        else if (e.Removes)
            await database.HashDeleteAsync(key, e.Key);
        else
            await database.HashSetAsync(key, e.Key, $"{{\"Records\":[{e.Record}]}}");
    }

    private async Task<ConnectionMultiplexer> ConnectAsync(CancellationToken ct)
    {
        if (_redis is { } connected) return connected;
        await _gate.WaitAsync(ct);
        try
        {
            return _redis ??= await ConnectionMultiplexer.ConnectAsync(options);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null) await _redis.DisposeAsync();
        _gate.Dispose();
    }
}
