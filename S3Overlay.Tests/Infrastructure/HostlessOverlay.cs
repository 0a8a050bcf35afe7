using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using S3Overlay.Overlay;
using S3Overlay.Storage;
using S3Overlay.Telemetry;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// An overlay over two stores without a host: the proxy's own registrations
/// (<see cref="OverlayServices.AddOverlayStore"/>) in a container of its own, so a test gets the
/// store and any of its parts (<see cref="Part{T}"/>) as the proxy would have made them, and the
/// work the overlay begins with started as a host starts it (its hosted services).
/// Disposed, it stops that work and disposes what the container made, as the proxy's does: the stores it was given too.
/// </summary>
internal sealed class HostlessOverlay : IDisposable
{
    private readonly ServiceProvider _services;

    private HostlessOverlay(ServiceProvider services) => _services = services;

    /// <param name="staging">The staging of <paramref name="local"/>, which the fills then use as the proxy's do over its embedded store; null to have them stream to it.</param>
    public static HostlessOverlay Create(IObjectStore local, IStagingStore? staging, IReadOnlyStore remote, OverlaySettings settings, TimeProvider clock)
    {
        var services = new ServiceCollection();
        services.AddLogging(); // and no provider: nothing is written
        services.AddSingleton(clock);
        // A meter of its own: figures of one test's overlay never mix with another's.
        services.AddSingleton(OverlayMetrics.Standalone());
        services.AddOverlayStore(settings, _ => local, _ => remote, staging is null ? null : _ => staging);
        var built = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        // Each starts its work in the background and returns at once, as a host awaits it.
        foreach (var hosted in built.GetServices<IHostedService>())
            hosted.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        return new HostlessOverlay(built);
    }

    public OverlayObjectStore Store => _services.GetRequiredService<OverlayObjectStore>();

    /// <summary>One part of this overlay (its <c>CacheIndex</c>, <c>BackgroundWork</c>, ...): the very one its store uses.</summary>
    public T Part<T>() where T : notnull => _services.GetRequiredService<T>();

    /// <summary>
    /// Stops the overlay's work as a host stops it (hosted services, then the background work,
    /// given 2 s before it is cancelled), then disposes the container: a test that removes the
    /// data folder next finds nothing still writing there.
    /// </summary>
    public void Dispose()
    {
        foreach (var hosted in _services.GetServices<IHostedService>().Reverse())
            hosted.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
            Part<BackgroundWork>().StopAsync(grace.Token).GetAwaiter().GetResult();
        _services.Dispose();
    }
}
