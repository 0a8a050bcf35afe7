using System.Diagnostics;

namespace S3Overlay.Tests.Infrastructure.Brokers;

/// <summary>
/// A throw-away RabbitMQ node (Debian's rabbitmq-server 3.10) on 127.0.0.1, started by
/// build/rabbitmq/rabbitmq-node.sh in a temp folder of its own: its AMQP port, node name, Erlang
/// distribution port and epmd all its own, so other test runs on the machine start theirs beside
/// it. The script stays in the foreground as its supervisor: it stops the node and removes the
/// folder when its stdin closes, so a test process that dies leaves nothing behind. Shared by a
/// test run (<see cref="GetAsync"/>): a node takes a few seconds to start; tests use exchanges and
/// queues of their own names. The user is RabbitMQ's guest (guest/guest, loopback only).
/// </summary>
public sealed class RabbitMqBroker : IAsyncDisposable
{
    public static string Script { get; } = Path.Combine(RepoPaths.Root, "build", "rabbitmq", "rabbitmq-node.sh");

    /// <summary>Set to <c>off</c>, the tests that need RabbitMQ skip (saying so) instead of starting a node.</summary>
    public const string Switch = "S3OVERLAY_TEST_RABBITMQ";

    private static readonly SemaphoreSlim Starting = new(1, 1);
    private static RabbitMqBroker? _shared;
    private static string? _unavailable;

    private readonly Process _supervisor;

    private RabbitMqBroker(Process supervisor, IReadOnlyDictionary<string, string> lines)
    {
        _supervisor = supervisor;
        Port = int.Parse(lines["amqp_port"], System.Globalization.CultureInfo.InvariantCulture);
        NodeName = lines["node"];
    }

    /// <summary>The AMQP port on 127.0.0.1.</summary>
    public int Port { get; }

    public string NodeName { get; }

    /// <summary>The broker's address as an AMQP URI with the guest user (RabbitMQ.Client's <c>ConnectionFactory.Uri</c>, RGW's push endpoint).</summary>
    public Uri AmqpUri => new($"amqp://guest:guest@127.0.0.1:{Port}/");

    /// <summary>Why RabbitMQ cannot run here, or null.</summary>
    public static string? Unavailable()
    {
        if (Environment.GetEnvironmentVariable(Switch) == "off") return $"{Switch}=off";
        return File.Exists("/usr/lib/rabbitmq/bin/rabbitmq-server")
            ? null
            : "RabbitMQ is not installed (Debian: rabbitmq-server; build/install-test-tools.sh installs it)";
    }

    /// <summary>The run's broker, started on first use; skips the calling test when RabbitMQ cannot run here.</summary>
    public static async Task<RabbitMqBroker> GetAsync()
    {
        var (broker, unavailable) = await TryGetAsync();
        if (broker is null) Assert.Skip(unavailable!);
        return broker;
    }

    /// <summary>The run's broker, or why RabbitMQ cannot run here (a failed start is remembered, not tried again by every test).</summary>
    public static async Task<(RabbitMqBroker? Broker, string? Unavailable)> TryGetAsync()
    {
        if (Volatile.Read(ref _shared) is { } started) return (started, null);
        await Starting.WaitAsync();
        try
        {
            if (_shared is null && _unavailable is null)
            {
                _unavailable = Unavailable();
                if (_unavailable is null)
                {
                    var failures = new List<string>();
                    // Twice: a port picked free can be taken by another process before the node binds it.
                    for (var attempt = 0; attempt < 2 && _shared is null; attempt++)
                    {
                        try
                        {
                            var broker = await StartAsync();
                            AppDomain.CurrentDomain.ProcessExit += (_, _) => broker.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(15));
                            Volatile.Write(ref _shared, broker);
                        }
                        catch (InvalidOperationException e)
                        {
                            failures.Add(e.Message);
                        }
                    }
                    if (_shared is null) _unavailable = "the node did not start: " + string.Join(" | ", failures);
                }
            }
            return (_shared, _shared is null ? $"RabbitMQ: {_unavailable}" : null);
        }
        finally
        {
            Starting.Release();
        }
    }

    /// <summary>A node of the caller's own (stopped by <see cref="DisposeAsync"/>): for a test that stops its broker.</summary>
    public static async Task<RabbitMqBroker> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "rabbitmq-" + Guid.NewGuid().ToString("N")[..12]);
        var (process, lines) = await SupervisorScript.StartAsync("RabbitMQ", Script, ["run", directory], "amqp_port");
        return new RabbitMqBroker(process, lines);
    }

    public async ValueTask DisposeAsync() => await SupervisorScript.StopAsync(_supervisor, TimeSpan.FromSeconds(15));
}
