using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace S3Overlay.ServiceDefaults;

/// <summary>
/// Health as JSON a person and a probe can read: the overall status and each check's status,
/// description and duration (descriptions and durations only for callers the <see cref="HealthDetailPolicy"/>
/// admits). The status code stays the health middleware's (503 when unhealthy).
/// </summary>
internal static class HealthResponseWriter
{
    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var detail = context.RequestServices.GetService<HealthDetailPolicy>()?.Invoke(context) == true;
        // Written field by field rather than serialized: a Native AOT build has no reflection for an object's shape.
        using (var json = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            json.WriteStartObject();
            json.WriteString("status", report.Status.ToString());
            if (detail) json.WriteNumber("durationMs", Math.Round(report.TotalDuration.TotalMilliseconds, 1));
            json.WriteStartObject("checks");
            foreach (var (name, entry) in report.Entries)
            {
                json.WriteStartObject(name);
                json.WriteString("status", entry.Status.ToString());
                if (detail)
                {
                    json.WriteString("description", entry.Description ?? entry.Exception?.Message);
                    json.WriteNumber("durationMs", Math.Round(entry.Duration.TotalMilliseconds, 1));
                }
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
