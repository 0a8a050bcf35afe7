using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using S3Overlay.Configuration;

namespace S3Overlay.S3.Auth;

/// <summary>
/// The well-known minioadmin/minioadmin are fine on a developer's loopback, and an open door
/// anywhere else: with them the server refuses to listen beyond loopback unless told it may.
/// </summary>
internal static class DefaultCredentialsGuard
{
    public static void Check(AuthSettings settings, IConfiguration configuration)
    {
        if (!settings.UsesDefaultCredentials || settings.AllowDefaultCredentials) return;
        var exposed = ListenAddresses.Configured(configuration).FirstOrDefault(url => !IsLoopback(url));
        if (exposed is not null)
            throw Configuration.Catalog.AccessCatalog.AllowDefaultCredentials.Invalid(
                $"the server would listen on {exposed} with the default credentials {AuthSettings.DefaultAccessKey}/{AuthSettings.DefaultSecretKey}; " +
                "set S3_OVERLAY_ACCESS_KEY and S3_OVERLAY_SECRET_KEY, listen on a loopback address, or set this to true to allow it");
    }

    private static bool IsLoopback(string url)
    {
        // Read as Kestrel reads it, so the host checked is the one it binds. A URL Kestrel cannot
        // read, or a socket path, is not a loopback host: refused here with the reason above.
        BindingAddress address;
        try
        {
            address = BindingAddress.Parse(url);
        }
        catch (FormatException)
        {
            return false;
        }
        if (address.IsUnixPipe || address.IsNamedPipe) return false;
        var host = address.Host.TrimStart('[').TrimEnd(']');
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }

    /// <summary>Says at start-up that the default credentials are in use.</summary>
    internal sealed class Warning(AuthSettings settings, ILogger<AuthSettings> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (settings.UsesDefaultCredentials)
                logger.LogWarning("No credentials configured: using the default {AccessKey}/{SecretKey}. Set S3_OVERLAY_ACCESS_KEY and S3_OVERLAY_SECRET_KEY.",
                    AuthSettings.DefaultAccessKey, AuthSettings.DefaultSecretKey);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
