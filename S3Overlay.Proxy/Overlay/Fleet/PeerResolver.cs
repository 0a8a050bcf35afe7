using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace S3Overlay.Overlay.Fleet;

/// <summary>
/// With one DNS name for the fleet (a Kubernetes headless service answers with every ready pod),
/// resolves it now and every <see cref="FleetSettings.Refresh"/>: each address is a replica. A
/// failed lookup keeps the list it had (a DNS hiccup must not shrink the fleet to one).
/// </summary>
internal sealed class PeerResolver(PeerSet peers, TimeProvider clock, ILogger<PeerResolver> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (peers.Settings.Dns is not { } dns) return;
        using var timer = new PeriodicTimer(peers.Settings.Refresh, clock);
        do
        {
            try
            {
                var addresses = await Dns.GetHostAddressesAsync(dns.Host, stoppingToken);
                peers.Replace(addresses.Select(peers.Settings.At));
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or ArgumentException)
            {
                logger.LogWarning("Could not resolve the fleet's name {Host}: {Reason}; the peers stay as they were", dns.Host, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
