using System.Net;
using Microsoft.Extensions.Configuration;
using S3Overlay.Configuration;
using S3Overlay.Configuration.Catalog;

namespace S3Overlay.Overlay.Fleet;

/// <summary>
/// Who the fleet is: the replicas (<c>S3_OVERLAY_PEERS</c>: a list of URLs, or one DNS name that
/// resolves to every replica, re-resolved every <see cref="Refresh"/>), this replica as the others
/// reach it (<c>S3_OVERLAY_PEER_URL</c>), and how long a peer may take before it is skipped.
/// </summary>
/// <param name="Peers">The static list, this replica included; empty when <paramref name="Dns"/> names the replicas.</param>
/// <param name="Dns">The one URL whose host name resolves to every replica (a Kubernetes headless service), or null.</param>
/// <param name="Timeout">How long an owner may take to begin its answer before the asker fills itself.</param>
/// <param name="DownFor">How long a peer that did not answer is skipped (ownership moves meanwhile).</param>
internal sealed record FleetSettings(IReadOnlyList<Uri> Peers, Uri? Dns, Uri Self, string AccessKey, string SecretKey, TimeSpan Timeout, TimeSpan DownFor, TimeSpan Refresh)
{
    private static readonly string PeersSetting = FleetCatalog.Peers.Name;
    private static readonly string SelfSetting = FleetCatalog.PeerUrl.Name;

    /// <summary>Null when no fleet is configured; a wrong setting stops start-up naming it.</summary>
    public static FleetSettings? From(SettingReader read, IConfiguration configuration)
    {
        var peers = FleetCatalog.Peers.Read(read);
        var self = FleetCatalog.PeerUrl.Read(read);
        if (peers is null && self is null) return null;
        if (peers is null) throw new SettingException(PeersSetting, $"{SelfSetting} is set, but not the fleet's peers: give their URLs, or one DNS name that resolves to every replica");
        if (self is null) throw new SettingException(SelfSetting, $"{PeersSetting} names a fleet: give this replica's own URL, as the other replicas reach it");

        var selfUrl = PeerUrl(self, SelfSetting);
        var urls = peers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => PeerUrl(p, PeersSetting)).ToList();
        if (urls.Count == 0) throw new SettingException(PeersSetting, "names no URL");
        if (urls.Distinct().Count() != urls.Count) throw new SettingException(PeersSetting, "names a URL twice");
        Uri? dns = null;
        if (urls.Count == 1 && urls[0] != selfUrl && urls[0].HostNameType == UriHostNameType.Dns)
        {
            dns = urls[0];
            urls = [];
            if (dns.Scheme != selfUrl.Scheme || dns.Port != selfUrl.Port)
                throw new SettingException(SelfSetting, $"'{self}' must have the scheme and port of {PeersSetting} ('{peers}'), whose name resolves to every replica");
        }
        else if (!urls.Contains(selfUrl))
        {
            throw new SettingException(SelfSetting, $"'{self}' is not one of {PeersSetting} ('{peers}'): a replica must be in the list it shares with the others");
        }

        var (accessKey, secretKey) = RootKey(read, configuration);
        return new FleetSettings(urls, dns, selfUrl, accessKey, secretKey,
            FleetCatalog.PeerTimeout.Read(read), FleetCatalog.PeerDownFor.Read(read), FleetCatalog.PeersRefresh.Read(read));
    }

    /// <summary>
    /// Peers sign what they ask each other with the root key, which every replica is given. Without
    /// one configured, the default credentials are the root only while no other user is configured.
    /// </summary>
    private static (string, string) RootKey(SettingReader read, IConfiguration configuration)
    {
        if (AccessCatalog.AccessKey.Given(read) is { } key && AccessCatalog.SecretKey.Given(read) is { } secret) return (key, secret);
        if (configuration.GetSection(AccessCatalog.UsersSection).Exists() || AccessCatalog.UsersFile.Read(read) is not null)
            throw AccessCatalog.AccessKey.Invalid($"the replicas of a fleet ({PeersSetting}) sign their requests to each other with the root key: set it, the same on every replica");
        return (AccessCatalog.AccessKey.Default!, AccessCatalog.SecretKey.Default!);
    }

    /// <summary>A replica's URL: http or https, a host and a port, nothing else (it is compared as written).</summary>
    public static Uri PeerUrl(string text, string setting)
    {
        var url = Endpoints.Parse(text, setting);
        if (url.AbsolutePath != "/" || url.Query.Length > 0 || url.Fragment.Length > 0 || url.UserInfo.Length > 0)
            throw new SettingException(setting, $"'{text}' must be a replica's address only (scheme, host, port), without path, query or user");
        return new Uri($"{url.Scheme}://{url.Authority}", UriKind.Absolute);
    }

    /// <summary>A resolved address as a peer's URL, with the scheme and port of <see cref="Dns"/>.</summary>
    public Uri At(IPAddress address) =>
        new($"{Dns!.Scheme}://{(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString())}:{Dns.Port}");
}
