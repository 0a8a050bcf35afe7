using Microsoft.Extensions.Configuration;

namespace S3Overlay.Configuration;

/// <summary>The addresses Kestrel is told to listen on, read as it reads them (start-up checks look at them).</summary>
internal static class ListenAddresses
{
    /// <summary>--urls / ASPNETCORE_URLS, else the HTTP(S)_PORTS (every interface), and Kestrel endpoints; none when the default applies.</summary>
    public static IEnumerable<string> Configured(IConfiguration configuration)
    {
        var urls = configuration["urls"];
        if (!string.IsNullOrWhiteSpace(urls))
            foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) yield return url;
        else
            foreach (var (ports, scheme) in new[] { (configuration["http_ports"], "http"), (configuration["https_ports"], "https") })
                foreach (var port in (ports ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    yield return $"{scheme}://*:{port}";
        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
            if (endpoint["Url"] is { Length: > 0 } url) yield return url;
    }
}
