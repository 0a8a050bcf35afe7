using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace S3Overlay.ServiceDefaults;

/// <summary>Puts <see cref="RequestSpanMiddleware"/> in front of the whole pipeline (registered only when tracing is on).</summary>
internal sealed class RequestSpanStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseMiddleware<RequestSpanMiddleware>();
        next(app);
    };
}

/// <summary>
/// What OpenTelemetry.Instrumentation.AspNetCore would add to ASP.NET Core's request span: .NET 10
/// records the span but sets neither the method, the status code, the route nor a readable name.
/// Health probes are left unrecorded: they arrive every few seconds and would drown the traces.
/// </summary>
internal sealed class RequestSpanMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var activity = context.Features.Get<IHttpActivityFeature>()?.Activity;
        if (activity is not { IsAllDataRequested: true })
        {
            await next(context);
            return;
        }
        var request = context.Request;
        if (request.Path.StartsWithSegments(Extensions.HealthPath) || request.Path.StartsWithSegments(Extensions.AlivePath))
        {
            activity.IsAllDataRequested = false;
            activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            await next(context);
            return;
        }

        activity.SetTag("http.request.method", request.Method);
        activity.SetTag("url.scheme", request.Scheme);
        activity.SetTag("url.path", request.Path.Value);
        try
        {
            await next(context);
        }
        catch (Exception e)
        {
            activity.SetTag("error.type", e.GetType().FullName);
            activity.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }

        var status = context.Response.StatusCode;
        activity.SetTag("http.response.status_code", status);
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        if (route is not null) activity.SetTag("http.route", route);
        // The S3 front end names its spans after the S3 operation; keep that name.
        if (activity.DisplayName == activity.OperationName)
            activity.DisplayName = route is null ? request.Method : $"{request.Method} {route}";
        if (status >= 500)
        {
            activity.SetTag("error.type", status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            activity.SetStatus(ActivityStatusCode.Error);
        }
    }
}
