using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace S3Overlay.S3.Routing;

/// <summary>
/// S3's query names are case-sensitive (<c>uploadId</c> is not <c>UploadId</c>), and SigV2 signs
/// only the sub-resources spelled exactly. ASP.NET's query folds case, so an unsigned
/// <c>&amp;UploadId=…</c> appended to a signed URL would change the operation; the front end
/// reads the query through this exact-case view instead.
/// </summary>
internal static class ExactCaseQuery
{
    public static void Install(HttpContext context)
    {
        var store = new Dictionary<string, StringValues>(StringComparer.Ordinal);
        foreach (var pair in new QueryStringEnumerable(context.Request.QueryString.Value))
        {
            var name = pair.DecodeName().ToString();
            var value = pair.DecodeValue().ToString();
            store[name] = store.TryGetValue(name, out var values) ? StringValues.Concat(values, value) : new StringValues(value);
        }
        // A QueryFeature made from a collection leaves the raw query string (which signatures cover) untouched.
        context.Features.Set<IQueryFeature>(new QueryFeature(new QueryCollection(store)));
    }
}
