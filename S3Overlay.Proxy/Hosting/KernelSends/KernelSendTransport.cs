using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;
using S3Overlay.Configuration;
using S3Overlay.Configuration.Catalog;

namespace S3Overlay.Hosting.KernelSends;

/// <summary>
/// Kestrel's socket transport, each accepted connection given a send loop that can hand files to
/// the kernel (<see cref="KernelSendConnection"/>). Binding, accepting and receiving stay Kestrel's.
/// </summary>
internal sealed class KernelSendTransport(IOptions<SocketTransportOptions> options, ILoggerFactory loggers) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly SocketTransportFactory _sockets = new(options, loggers);

    public KernelSendCounts Counts { get; } = new();

    public bool CanBind(EndPoint endpoint) => _sockets.CanBind(endpoint);

    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken ct = default) =>
        new Listener(await _sockets.BindAsync(endpoint, ct), Counts, loggers.CreateLogger<KernelSendTransport>());

    /// <summary>
    /// Linux only (<c>sendfile</c>), unless <see cref="ServerCatalog.Sendfile"/> says false (Kestrel's own
    /// transport, every body copied through the process); elsewhere Kestrel's transport is left as it is.
    /// </summary>
    public static void Register(WebApplicationBuilder builder)
    {
        if (OperatingSystem.IsLinux() && ServerCatalog.Sendfile.Read(new SettingReader(builder.Configuration)))
            builder.Services.AddSingleton<IConnectionListenerFactory, KernelSendTransport>();
    }

    private sealed class Listener(IConnectionListener sockets, KernelSendCounts counts, ILogger log) : IConnectionListener
    {
        public EndPoint EndPoint => sockets.EndPoint;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken ct = default) =>
            await sockets.AcceptAsync(ct) is { } accepted
                ? accepted.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket ? new KernelSendConnection(accepted, socket, counts, log) : accepted
                : null;

        public ValueTask UnbindAsync(CancellationToken ct = default) => sockets.UnbindAsync(ct);
        public ValueTask DisposeAsync() => sockets.DisposeAsync();
    }
}
