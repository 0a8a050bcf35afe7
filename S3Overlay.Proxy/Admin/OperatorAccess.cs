using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Auth;
using S3Overlay.Web;

namespace S3Overlay.Admin;

/// <summary>
/// Who may use the operator's endpoints (the admin API, the metrics): HTTP Basic with a
/// configured access key and its secret key, of a user whose policy allows <c>admin:*</c>
/// (the root key, the <c>admin</c> policy, or a user configured without a policy).
/// </summary>
internal static class OperatorAccess
{
    /// <summary>
    /// Null when the caller may go on; else the answer: 401 with a challenge to a caller not
    /// signed in (or signed in wrongly), 403 to a user whose policy does not allow <c>admin:*</c>
    /// on <paramref name="bucket"/> (on every bucket when null). Either way the answer is not cached.
    /// </summary>
    public static IResult? Refusal(HttpContext http, AuthSettings auth, string? bucket)
    {
        http.Response.Headers.CacheControl = "no-store";
        var caller = BrowserVisitor.From(http.Request, auth);
        if (caller.SignedIn)
            return auth.Users.Find(caller.AccessKey!)?.MayUseAdminApi(bucket) == true
                ? null
                : AdminApi.Problem(403, "access denied: this needs a user whose policy allows admin:* (the admin policy)");
        http.Response.Headers.WWWAuthenticate = $"Basic realm=\"{BrowserVisitor.Realm}\", charset=\"UTF-8\"";
        return AdminApi.Problem(401, "sign in with an access key and its secret key (HTTP Basic)");
    }
}
