using S3Overlay.Configuration;

namespace S3Overlay.Overlay.Fleet;

internal static class FleetRegistration
{
    /// <summary>The fleet's peers, when <c>S3_OVERLAY_PEERS</c> names them (read and checked now, so a bad setting stops start-up).</summary>
    public static void AddFleet(this WebApplicationBuilder builder, SettingReader read)
    {
        if (FleetSettings.From(read, builder.Configuration) is not { } settings) return;
        builder.Services.AddSingleton(sp => new PeerSet(settings, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddHostedService<PeerResolver>();
    }
}
