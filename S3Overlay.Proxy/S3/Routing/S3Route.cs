using Microsoft.AspNetCore.Http;

namespace S3Overlay.S3.Routing;

/// <summary>Which part of the namespace a route addresses.</summary>
internal enum S3Scope { Service, Bucket, Object }

internal delegate Task S3Handler(S3Request request);

/// <summary>One row of the route table: method, scope, query/header matchers, operation, handler.</summary>
internal sealed record S3Route(string Method, S3Scope Scope, string Operation, S3Handler Handler, params RequestMatcher[] Matchers)
{
    public bool Matches(HttpRequest request, S3Scope scope) =>
        scope == Scope
        && string.Equals(request.Method, Method, StringComparison.OrdinalIgnoreCase)
        && MatchesAll(request);

    // A loop, not Matchers.All(...): that allocated a closure for every row tried, on every request.
    private bool MatchesAll(HttpRequest request)
    {
        foreach (var matcher in Matchers)
            if (!matcher(request)) return false;
        return true;
    }
}

internal delegate bool RequestMatcher(HttpRequest request);

/// <summary>The matchers a route may ask for, in the words of the S3 API.</summary>
internal static class Match
{
    public static RequestMatcher Query(string name) => r => r.Query.ContainsKey(name);

    public static RequestMatcher QueryValue(string name, string value) => r => r.Query[name] == value;

    public static RequestMatcher Header(string name) => r => r.Headers.ContainsKey(name);
}
