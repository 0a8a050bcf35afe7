using Microsoft.AspNetCore.Cors.Infrastructure;
using S3Overlay.Configuration;
using S3Overlay.Configuration.Catalog;

namespace S3Overlay.S3.Cors;

/// <summary>
/// CORS for browser-based S3 clients (web uploaders, viewers such as Neuroglancer): a bucket's own
/// rules (PutBucketCors) where it has some, else the origins in <c>S3_OVERLAY_CORS_ORIGINS</c> may
/// call the S3 API from JavaScript. Preflights are answered
/// before authentication (a browser never signs them). Off unless configured; never applied to
/// <c>/_overlay/</c>, whose pages are for people on this origin only.
/// </summary>
internal static class S3Cors
{
    private const string PolicyName = "S3";

    private static readonly string[] Methods = ["GET", "HEAD", "PUT", "POST", "DELETE"];

    /// <summary>What S3 clients in a page need to read from answers (ETags of parts, ranges, request ids).</summary>
    private static readonly string[] ExposedHeaders =
    [
        "ETag", "Content-Length", "Content-Range", "Content-Type", "Content-Encoding", "Content-Disposition", "Last-Modified",
        "Accept-Ranges", "Cache-Control", "Expires", "x-amz-request-id", "x-amz-id-2", "x-amz-version-id", "x-amz-delete-marker",
        "x-amz-bucket-region", "x-amz-server-side-encryption", "x-amz-checksum-crc32", "x-amz-checksum-crc32c",
        "x-amz-checksum-crc64nvme", "x-amz-checksum-sha1", "x-amz-checksum-sha256", "x-amz-mp-parts-count",
    ];

    public static void AddS3Cors(this WebApplicationBuilder builder, SettingReader read)
    {
        var origins = AccessCatalog.CorsOrigins.Items(read);
        if (origins.Length == 0) return;
        foreach (var origin in origins)
            if (origin != "*" && !Uri.TryCreate(origin.Replace("*.", "x."), UriKind.Absolute, out _))
                throw AccessCatalog.CorsOrigins.Invalid($"'{origin}' is not an origin (https://host[:port]) or *");
        builder.Services.AddCors(cors => cors.AddPolicy(PolicyName, policy =>
        {
            if (origins.Contains("*")) policy.AllowAnyOrigin();
            else policy.WithOrigins(origins).SetIsOriginAllowedToAllowWildcardSubdomains();
            // Any requested header is allowed: S3 clients send x-amz-*, Authorization, Range, Content-Type, Content-MD5, ...
            policy.WithMethods(Methods).AllowAnyHeader().WithExposedHeaders(ExposedHeaders).SetPreflightMaxAge(TimeSpan.FromHours(1));
        }));
    }

    /// <summary>A bucket's own rules first (<see cref="BucketCors"/>); the server-wide default for buckets without any.</summary>
    public static void UseS3Cors(this WebApplication app)
    {
        var reserved = app.Services.GetRequiredService<S3FrontEndOptions>().ReservedPrefix;
        var hasDefault = app.Services.GetService<ICorsService>() is not null;
        app.UseWhen(context => !context.Request.Path.StartsWithSegments(reserved), s3 =>
        {
            s3.UseMiddleware<CorsPreflightChecks>();
            s3.UseMiddleware<BucketCors>();
            if (hasDefault) s3.UseWhen(context => !context.Items.ContainsKey(BucketCors.DecidedItem), fallback => fallback.UseCors(PolicyName));
        });
    }
}
