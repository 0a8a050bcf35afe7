using S3Overlay.Admin;

namespace S3Overlay.Browser;

/// <summary>The web file browser under <c>/_overlay/browse/</c>.</summary>
internal static class BrowserEndpoints
{
    public static void AddFileBrowser(this WebApplicationBuilder builder) => builder.Services.AddSingleton<FileBrowser>();

    public static WebApplication MapFileBrowser(this WebApplication app)
    {
        app.MapGet(BrowserLinks.Root + "/", (HttpContext context, FileBrowser browser) => browser.IndexAsync(context));
        app.MapGet(BrowserLinks.Root + "/{bucket}", (HttpContext context, string bucket, FileBrowser browser) => browser.BucketAsync(context, bucket));
        app.MapPost(BrowserLinks.Root + "/{bucket}/presign", (HttpContext context, string bucket, FileBrowser browser) => browser.PresignAsync(context, bucket))
            .RefuseCrossSite();
        return app;
    }
}
