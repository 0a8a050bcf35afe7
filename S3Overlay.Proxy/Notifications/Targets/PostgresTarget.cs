using Npgsql;
using NpgsqlTypes;
using S3Overlay.Notifications.Outbox;

namespace S3Overlay.Notifications.Targets;

/// <summary>
/// MinIO's PostgreSQL target, in its two formats, in a table it creates if missing:
/// <c>namespace</c> keeps one row per object (<c>key</c>, <c>value</c> JSONB), upserted by a
/// creation and deleted by a removal; <c>access</c> appends every event (<c>event_time</c>,
/// <c>event_data</c> JSONB). A statement that commits is a delivery.
/// </summary>
internal sealed class PostgresTarget(string arn, string connectionString, string table, bool access) : INotificationTarget
{
    private readonly NpgsqlDataSource _source = new NpgsqlSlimDataSourceBuilder(connectionString).Build();
    private readonly SemaphoreSlim _creating = new(1, 1);
    private volatile bool _created;

    public string Arn => arn;

    /// <summary>A statement per event, each on a connection of the pool.</summary>
    public int InFlight => 8;

    public async Task SendAsync(OutboxEvent e, CancellationToken ct)
    {
        await using var connection = await _source.OpenConnectionAsync(ct);
        if (!_created) await CreateTableAsync(connection, ct);
        await using var command = new NpgsqlCommand(
            access ? $"INSERT INTO {table} (event_time, event_data) VALUES ($1, $2)"
            : e.Removes ? $"DELETE FROM {table} WHERE key = $1"
            : $"INSERT INTO {table} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", connection);
        if (access) command.Parameters.Add(new NpgsqlParameter { Value = e.Time.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        else command.Parameters.Add(new NpgsqlParameter { Value = e.Key, NpgsqlDbType = NpgsqlDbType.Varchar });
        if (access || !e.Removes) command.Parameters.Add(new NpgsqlParameter { Value = $"{{\"Records\":[{e.Record}]}}", NpgsqlDbType = NpgsqlDbType.Jsonb });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Once, by one sender: two concurrent <c>CREATE TABLE IF NOT EXISTS</c> can collide in PostgreSQL's catalog.</summary>
    private async Task CreateTableAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await _creating.WaitAsync(ct);
        try
        {
            if (_created) return;
            await using var create = new NpgsqlCommand(access
                ? $"CREATE TABLE IF NOT EXISTS {table} (event_time TIMESTAMP WITH TIME ZONE NOT NULL, event_data JSONB)"
                : $"CREATE TABLE IF NOT EXISTS {table} (key VARCHAR PRIMARY KEY, value JSONB)", connection);
            await create.ExecuteNonQueryAsync(ct);
            _created = true;
        }
        finally
        {
            _creating.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _source.DisposeAsync();
        _creating.Dispose();
    }
}
