using Microsoft.AspNetCore.Http;

namespace S3Overlay.Admin;

/// <summary>
/// Refuses state-changing requests a browser sent on another site's behalf (CSRF): the browser
/// attaches its HTTP Basic credentials to a cross-site form post. Browsers say where a request
/// comes from (Sec-Fetch-Site, else Origin); a request with neither is not a browser's cross-site
/// one (curl, the CLI) and passes. "same-site" is refused too: a virtual-hosted bucket's objects
/// are user content on a sibling host.
/// </summary>
internal static class CrossSiteGuard
{
    public static RouteHandlerBuilder RefuseCrossSite(this RouteHandlerBuilder builder) => builder.AddEndpointFilter(FilterAsync);

    public static RouteGroupBuilder RefuseCrossSite(this RouteGroupBuilder builder) => builder.AddEndpointFilter(FilterAsync);

    private static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next) =>
        IsCrossSite(invocation.HttpContext.Request)
            ? AdminApi.Problem(StatusCodes.Status403Forbidden, "cross-site requests may not change anything here")
            : await next(invocation);

    public static bool IsCrossSite(HttpRequest request)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)) return false;
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0) return site is not ("same-origin" or "none");
        var origin = request.Headers.Origin.ToString();
        return origin.Length > 0 && !string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
    }
}
