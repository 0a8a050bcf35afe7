using S3Overlay.Admin;
using S3Overlay.Browser;
using S3Overlay.Configuration;
using S3Overlay.Configuration.Catalog;
using S3Overlay.Hosting.KernelSends;
using S3Overlay.Hosting.Tls;
using S3Overlay.Lifecycle;
using S3Overlay.Notifications;
using S3Overlay.Overlay.Events;
using S3Overlay.S3;
using S3Overlay.S3.Auth;
using S3Overlay.S3.Cors;
using S3Overlay.S3.Handlers;
using S3Overlay.S3.Routing;
using S3Overlay.Storage.Hidden;
using S3Overlay.Telemetry;
using S3Overlay.Telemetry.Prometheus;
using S3Overlay.Telemetry.Status;

namespace S3Overlay.Hosting;

/// <summary>Builds the proxy: the same composition for <c>dotnet run</c> and for the tests.</summary>
internal static class ProxyApplication
{
    /// <param name="configure">Lets tests add configuration or replace services (TimeProvider) before the settings are read.</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Settings are read once at start, and reloading would watch the content root with all its
        // subfolders: with the default ./data under it every stored object raised file events for
        // the configuration watcher to process. (Appended, so it wins over the arguments.)
        var builder = WebApplication.CreateBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"]);
        configure?.Invoke(builder);
        builder.AddServiceDefaults(OverlayTelemetry.Name);
        QuietRequestHosting(builder);
        // As appsettings.json says for `dotnet run`: ASP.NET Core's routing and start-up lines are noise.
        DefaultLevel(builder, "Microsoft.AspNetCore", LogLevel.Warning);
        builder.AddOverlayTelemetry();
        builder.AddS3Overlay();
        // Objects are up to 5 GiB a request; bodies are streamed, never buffered.
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            k.AddServerHeader = false; // S3Endpoint names the server itself
            // User metadata and response-* overrides (a Content-Disposition file name) may be
            // UTF-8, as S3 allows; Kestrel's ASCII default would refuse them or fail the response.
            k.RequestHeaderEncodingSelector = _ => System.Text.Encoding.UTF8;
            k.ResponseHeaderEncodingSelector = _ => System.Text.Encoding.UTF8;
            // A flush of a response's body must end within the grace (Kestrel counts no bytes a
            // body writer advances, so its rate never lengthens it): a client that pauses reading
            // for more than 5 s (a pipeline's slow consumer, a crowd on busy cores) was cut.
            var settings = new SettingReader(builder.Configuration);
            k.Limits.MinResponseDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(240,
                ServerCatalog.SendTimeout.Read(settings));
            // The same for a request's body: a client whose small body was not sent within 5 s of
            // its headers (its thread starved on two busy cores) was answered RequestTimeout.
            k.Limits.MinRequestBodyDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(240,
                ServerCatalog.ReceiveTimeout.Read(settings));
        });
        // Kestrel's default waits for each read's data with a zero-byte read before it takes a
        // buffer: two system calls per 4 KiB of a request body (a 256 KiB PUT made 134 receives,
        // now 72), for a buffer saved on idle connections only.
        builder.WebHost.UseSockets(sockets => sockets.WaitForDataBeforeAllocatingBuffer = false);
        KernelSendTransport.Register(builder);
        // Under systemd (deploy/systemd): readiness and stopping told to it (Type=notify); elsewhere nothing.
        builder.Host.UseSystemd();
        var https = builder.AddTls();
        // The original listens on 8000; --urls and ASPNETCORE_URLS (both the "urls" key) still win.
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["http_ports"])
            && string.IsNullOrEmpty(builder.Configuration["https_ports"]))
            builder.WebHost.UseUrls(https ? ServerCatalog.Listen.Default!.Replace("http://", "https://", StringComparison.Ordinal) : ServerCatalog.Listen.Default!);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapOverlayStatus();
        app.MapOverlayMetrics();
        app.MapFileBrowser();
        app.MapAdminApi();
        app.MapRemoteEvents();
        app.UseS3Cors();
        app.UseMiddleware<S3Endpoint>();
        return app;
    }

    /// <summary>
    /// ASP.NET Core starts an Activity and a logging scope for every request whenever its hosting
    /// logger is on at any level, only to tag its "request starting/finished" lines, which the
    /// default levels never write. Without them a warm 4 KiB GET took 94–109 µs of CPU against
    /// 101–115 µs (wrk -c16, 23 Nov, 2 cores). Traces still get the request span
    /// (an OpenTelemetry listener makes ASP.NET Core start it anyway), an unhandled error is still
    /// logged by Kestrel, and naming the category in the configuration brings the lines back.
    /// </summary>
    private static void QuietRequestHosting(WebApplicationBuilder builder) =>
        DefaultLevel(builder, "Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);

    /// <summary>
    /// <paramref name="level"/> for <paramref name="category"/> unless the configuration names it
    /// (any case, as logging matches categories): defaults that hold without appsettings.json, for
    /// the single-file program copied alone.
    /// </summary>
    private static void DefaultLevel(WebApplicationBuilder builder, string category, LogLevel level)
    {
        var levels = builder.Configuration.GetSection("Logging:LogLevel").GetChildren();
        if (levels.Any(configured => string.Equals(configured.Key, category, StringComparison.OrdinalIgnoreCase))) return;
        builder.Logging.AddFilter(category, level);
    }

    /// <summary>Reads and validates every setting now, so a bad one stops start-up, then registers the services.</summary>
    public static WebApplicationBuilder AddS3Overlay(this WebApplicationBuilder builder)
    {
        var read = new SettingReader(builder.Configuration);
        var server = ServerSettings.From(read);
        var services = builder.Services;
        services.AddSingleton(server);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(new S3FrontEndOptions(server.BaseDomain));
        services.AddSingleton<S3Handlers>();
        services.AddSingleton<S3.Cors.BucketCorsRules>();
        services.AddSingleton<S3.PostObject.PostObjectUpload>();
        services.AddSingleton<S3RouteTable>();
        var buckets = Buckets.BucketTargets.From(builder.Configuration);
        services.AddSingleton(buckets);
        builder.AddS3Authentication(read, buckets);
        builder.AddObjectStore(read, server, buckets);
        builder.AddLifecycle(read);
        builder.AddS3Cors(read);
        builder.AddFileBrowser();
        return builder;
    }
}
