using System.Text;
using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Auth;

namespace S3Overlay.Web;

/// <summary>
/// Who is looking: a configured user (HTTP Basic with an access key and its secret key), or
/// nobody, who may only look at public buckets.
/// </summary>
/// <param name="AccessKey">The signed-in user; null when anonymous.</param>
/// <param name="Refused">Credentials were sent and are wrong: the answer is a new challenge.</param>
internal sealed record BrowserVisitor(string? AccessKey, bool Refused)
{
    public const string Realm = "S3 Overlay";

    public bool SignedIn => AccessKey is not null;

    public static BrowserVisitor From(HttpRequest request, AuthSettings auth)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return new BrowserVisitor(null, false);
        string decoded;
        try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim())); }
        catch (FormatException) { return new BrowserVisitor(null, true); }
        var colon = decoded.IndexOf(':');
        if (colon <= 0) return new BrowserVisitor(null, true);
        var accessKey = decoded[..colon];
        return auth.IsUser(accessKey, decoded[(colon + 1)..]) ? new BrowserVisitor(accessKey, false) : new BrowserVisitor(null, true);
    }
}
