using System.Text.Json;
using Npgsql;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Infrastructure.Brokers;

namespace S3Overlay.Tests.Notifications;

/// <summary>
/// The PostgreSQL target against a throw-away cluster (initdb and postgres as the postgres user, on a
/// free port, its socket in its own folder), in MinIO's two formats, read back with Npgsql.
/// </summary>
[FunctionalTests]
public sealed class PostgresNotificationTests
{
    private const string Bin = "/usr/lib/postgresql/15/bin";

    private static Task<BrokerProcess> StartPostgresAsync() => BrokerProcess.StartAsync(Bin + "/postgres", "postgresql",
        (port, folder) => ["-D", Path.Combine(folder, "data"), "-p", port.ToString(), "-k", folder, "-h", "127.0.0.1", "-c", "fsync=off"],
        async (_, folder) =>
        {
            if (Environment.UserName == "root")
            {
                // The cluster's folder is the postgres user's, as PostgreSQL demands.
                File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                await BrokerProcess.RunAsync("/usr/bin/chown", ["postgres:postgres", folder]);
            }
            await BrokerProcess.RunAsync(Bin + "/initdb", ["-D", Path.Combine(folder, "data"), "-A", "trust", "-U", "postgres", "--no-sync"], asUser: "postgres");
        }, asUser: "postgres");

    [Fact]
    public async Task The_access_format_adds_a_row_per_event_and_the_namespace_format_a_row_per_object()
    {
        await using var postgres = await StartPostgresAsync();
        var libpq = $"host=127.0.0.1 port={postgres.Port} user=postgres dbname=postgres sslmode=disable";
        await using var proxy = await BrokerEvents.WriteAsync(new Dictionary<string, string?>
        {
            ["S3_OVERLAY_NOTIFY_POSTGRES_CONNECTION_STRING_audit"] = libpq,
            ["S3_OVERLAY_NOTIFY_POSTGRES_TABLE_audit"] = "audit_log",
            ["S3_OVERLAY_NOTIFY_POSTGRES_FORMAT_audit"] = "access",
        }, "arn:minio:sqs::audit:postgresql", "pg-access");
        await using var database = NpgsqlDataSource.Create($"Host=127.0.0.1;Port={postgres.Port};Username=postgres;Database=postgres");

        async Task<List<(string, string)>> RowsAsync()
        {
            var rows = new List<(string, string)>();
            try
            {
                await using var command = database.CreateCommand("SELECT event_data::text FROM audit_log ORDER BY event_time, ctid");
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    var record = JsonDocument.Parse(reader.GetString(0)).RootElement.GetProperty("Records")[0];
                    rows.Add((record.GetProperty("eventName").GetString()!, Uri.UnescapeDataString(record.GetProperty("s3").GetProperty("object").GetProperty("key").GetString()!.Replace('+', ' '))));
                }
            }
            catch (PostgresException e) when (e.SqlState == "42P01") { } // no table yet
            return rows;
        }
        await Polling.EventuallyAsync(async () => (await RowsAsync()).Count >= BrokerEvents.Expected.Length, "a row per event");
        BrokerEvents.AssertReceived(await RowsAsync());

        // The namespace format on the same cluster: one row per object, the deleted one gone.
        await using var second = await BrokerEvents.WriteAsync(new Dictionary<string, string?>
        {
            ["S3_OVERLAY_NOTIFY_POSTGRES_CONNECTION_STRING_ns"] = $"Host=127.0.0.1;Port={postgres.Port};Username=postgres;Database=postgres",
            ["S3_OVERLAY_NOTIFY_POSTGRES_TABLE_ns"] = "objects",
        }, "arn:minio:sqs::ns:postgresql", "pg-namespace");
        var outbox = (S3Overlay.Notifications.NotificationOutbox)second.Services.GetService(typeof(S3Overlay.Notifications.NotificationOutbox))!;
        await Polling.EventuallyAsync(() => outbox.Statistics["arn:minio:sqs::ns:postgresql"].Delivered == BrokerEvents.Expected.Length, "every event delivered");
        await using var keys = database.CreateCommand("SELECT key, value->'Records'->0->>'eventName' FROM objects");
        await using var found = await keys.ExecuteReaderAsync();
        Assert.True(await found.ReadAsync());
        Assert.Equal(("pg-namespace/in/copy.txt", "s3:ObjectTagging:Put"), (found.GetString(0), found.GetString(1)));
        Assert.False(await found.ReadAsync());
    }
}
