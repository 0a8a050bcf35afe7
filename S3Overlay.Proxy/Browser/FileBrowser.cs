using System.Globalization;
using Microsoft.AspNetCore.Http;
using S3Overlay.Browser.Pages;
using S3Overlay.Overlay;
using S3Overlay.S3.Auth;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Http;
using S3Overlay.Signing;
using S3Overlay.Storage;
using S3Overlay.Storage.Hidden;
using S3Overlay.Web;

namespace S3Overlay.Browser;

/// <summary>
/// The web file browser's requests. It reads through the one storage seam (so it shows what an S3
/// client would see, overlay and hidden prefixes included) and never writes itself: uploads,
/// deletes and downloads are S3 requests the page sends to presigned URLs made here.
/// </summary>
/// <param name="inspector">The overlay's read-only view of where objects live; null without a remote.</param>
internal sealed class FileBrowser(IObjectStore store, AuthSettings auth, HiddenNamespace hidden, UrlPresigner presigner, S3.Policies.RequestAuthorizer authorizer,
    TimeProvider clock, IOverlayInspector? inspector = null)
{
    /// <summary>How long the presigned URLs the pages hold stay valid.</summary>
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromMinutes(15);

    private const int DefaultPageSize = 200;
    private static readonly string[] PresignableMethods = ["GET", "PUT", "DELETE"];

    public async Task IndexAsync(HttpContext context)
    {
        var visitor = BrowserVisitor.From(context.Request, auth);
        if (visitor.Refused || (context.Request.Query.ContainsKey("sign-in") && !visitor.SignedIn))
        {
            await ChallengeAsync(context, visitor);
            return;
        }
        if (context.Request.Query.ContainsKey("sign-in"))
        {
            context.Response.Redirect(BrowserLinks.Buckets);
            return;
        }
        var buckets = new List<BucketInfo>();
        foreach (var bucket in (await store.ListBucketsAsync(context.RequestAborted)).OrderBy(b => b.Name, StringComparer.Ordinal))
            if (visitor.SignedIn ? await authorizer.ShowsBucketAsync(UserOf(visitor), bucket.Name, context.RequestAborted) : auth.PublicBuckets.Contains(bucket.Name))
                buckets.Add(bucket);
        if (!visitor.SignedIn && buckets.Count == 0)
        {
            await ChallengeAsync(context, visitor);
            return;
        }
        await SendAsync(context, 200, BucketListPage.Render(visitor, buckets));
    }

    /// <summary>A folder of the bucket (<c>?prefix=</c>, <c>?after=</c>), or one object (<c>?key=</c>).</summary>
    public async Task BucketAsync(HttpContext context, string bucket)
    {
        var visitor = BrowserVisitor.From(context.Request, auth);
        if (visitor.Refused || (!visitor.SignedIn && !auth.PublicBuckets.Contains(bucket)))
        {
            await ChallengeAsync(context, visitor);
            return;
        }
        var query = context.Request.Query;
        try
        {
            if (hidden.IsHiddenBucket(bucket) || await store.GetBucketAsync(bucket, context.RequestAborted) is null)
                throw S3Exception.NoSuchBucket(bucket);
            if (ListingQuery.Value(query, "key") is { Length: > 0 } key)
            {
                await RequireAsync(visitor, S3.Policies.S3Actions.GetObject, bucket, key, S3.Policies.ConditionKeys.None, context.RequestAborted);
                await SendAsync(context, 200, ObjectPage.Render(visitor, await ObjectViewAsync(context, visitor, bucket, key)));
            }
            else
            {
                var listing = new S3.Policies.ConditionKeys { Prefix = ListingQuery.Value(query, "prefix") ?? "", Delimiter = "/" };
                await RequireAsync(visitor, S3.Policies.S3Actions.ListBucket, bucket, null, listing, context.RequestAborted);
                await SendAsync(context, 200, FolderPage.Render(visitor, await FolderViewAsync(context, visitor, bucket)));
            }
        }
        catch (Exception caught) when (StorageErrors.AsS3(caught) is { } e && !context.Response.HasStarted)
        {
            var prefix = ListingQuery.Value(query, "prefix") ?? BrowserLinks.FolderOf(ListingQuery.Value(query, "key") ?? "");
            var crumbs = e.Error.Code == "NoSuchBucket" ? PageLayout.Trail(null) : PageLayout.Trail(bucket, prefix);
            await SendAsync(context, e.Error.Status, MessagePage.Render(visitor, Title(e), e.Error.Message, crumbs));
        }
    }

    /// <summary>POST <c>method</c> and <c>key</c>: a presigned URL for the page's script (signed-in visitors only).</summary>
    public async Task PresignAsync(HttpContext context, string bucket)
    {
        var visitor = BrowserVisitor.From(context.Request, auth);
        if (!visitor.SignedIn)
        {
            await ChallengeAsync(context, visitor);
            return;
        }
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted) : null;
        var method = form?["method"].ToString().ToUpperInvariant() ?? "";
        var key = form?["key"].ToString() ?? "";
        if (!PresignableMethods.Contains(method) || key.Length == 0 || hidden.IsHiddenBucket(bucket))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        var url = presigner.Presign(method, Host(context), visitor.AccessKey!, bucket, key, LinkLifetime);
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsJsonAsync(new PresignedLink(url, clock.GetUtcNow().Add(LinkLifetime)), BrowserJson.Default.PresignedLink, cancellationToken: context.RequestAborted);
    }

    private async Task<FolderView> FolderViewAsync(HttpContext context, BrowserVisitor visitor, string bucket)
    {
        var query = context.Request.Query;
        var prefix = ListingQuery.Value(query, "prefix") ?? "";
        var after = ListingQuery.Value(query, "after") is { Length: > 0 } token ? token : null;
        int? maxKeys = int.TryParse(ListingQuery.Value(query, "max-keys"), NumberStyles.None, CultureInfo.InvariantCulture, out var asked) && asked is > 0 and <= ListingQuery.MaxPageSize
            ? asked : null;
        var request = new ListRequest(prefix, "/", after is null ? null : ListingQuery.DecodeToken(after), maxKeys ?? DefaultPageSize);
        var listing = await store.ListObjectsAsync(bucket, request, context.RequestAborted);
        var overlay = inspector is null ? null : await FolderOverlayAsync(inspector, bucket, prefix, listing, context.RequestAborted);
        var canWrite = await AllowsAsync(visitor, S3.Policies.S3Actions.PutObject, bucket, prefix, context.RequestAborted);
        return new FolderView(bucket, prefix, listing, after, maxKeys, canWrite, MayAdminister(visitor, bucket), key => DownloadUrl(context, visitor, bucket, key), overlay);
    }

    /// <summary>
    /// Where each listed object lives, without asking the remote: the listing already says the key
    /// exists, so one neither store holds here is the remote's. Cached bytes come from the cache's index.
    /// </summary>
    private static async Task<FolderOverlay> FolderOverlayAsync(IOverlayInspector inspector, string bucket, string prefix, ListPage listing, CancellationToken ct)
    {
        var objects = new Dictionary<string, ObjectLocation>(StringComparer.Ordinal);
        foreach (var entry in listing.Objects) objects[entry.Key] = await inspector.LocateAsync(bucket, entry.Key, askRemote: false, ct);
        var folders = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var folder in listing.CommonPrefixes) folders[folder] = (await inspector.CachedUnderAsync(bucket, folder, ct)).Bytes;
        return new FolderOverlay((await inspector.CachedUnderAsync(bucket, prefix, ct)).Bytes, folders, objects);
    }

    private async Task<ObjectView> ObjectViewAsync(HttpContext context, BrowserVisitor visitor, string bucket, string key)
    {
        var info = await store.HeadObjectAsync(bucket, key, ReadConditions.None, context.RequestAborted);
        var url = DownloadUrl(context, visitor, bucket, key);
        var expires = visitor.SignedIn ? clock.GetUtcNow().Add(LinkLifetime) : (DateTimeOffset?)null;
        var location = inspector is null ? null : await inspector.LocateAsync(bucket, key, askRemote: false, context.RequestAborted);
        var canWrite = await AllowsAsync(visitor, S3.Policies.S3Actions.DeleteObject, bucket, key, context.RequestAborted);
        return new ObjectView(bucket, info, url, $"{context.Request.Scheme}://{Host(context)}{url}", expires, canWrite, MayAdminister(visitor, bucket), clock.GetUtcNow(), location);
    }

    private S3User? UserOf(BrowserVisitor visitor) => visitor.AccessKey is { } key ? auth.Users.Find(key) : null;

    /// <summary>Whether the page offers warm and evict: the admin API answers 403 to users without <c>admin:*</c> anyway.</summary>
    private bool MayAdminister(BrowserVisitor visitor, string bucket) => UserOf(visitor)?.MayUseAdminApi(bucket) == true;

    /// <summary>
    /// A signed-in visitor sees what its policies let it read (the root and unrestricted users,
    /// everything); an anonymous one, the public buckets. Anything else is AccessDenied, as S3 would answer.
    /// </summary>
    private async Task RequireAsync(BrowserVisitor visitor, string action, string bucket, string? key, S3.Policies.ConditionKeys keys, CancellationToken ct)
    {
        if (!visitor.SignedIn) return;
        if (await authorizer.DecideAsync(UserOf(visitor), action, bucket, key, keys, ct) != S3.Policies.PolicyVerdict.Allow)
            throw new S3Exception(S3Error.AccessDenied);
    }

    /// <summary>Whether the page offers the visitor uploads and deletes (the server refuses them anyway when not).</summary>
    private async Task<bool> AllowsAsync(BrowserVisitor visitor, string action, string bucket, string key, CancellationToken ct) =>
        visitor.SignedIn && await authorizer.DecideAsync(UserOf(visitor), action, bucket, key, S3.Policies.ConditionKeys.None, ct) == S3.Policies.PolicyVerdict.Allow;

    /// <summary>
    /// A signed-in visitor's downloads are presigned GETs (which also name the file when the link is
    /// copied elsewhere); an anonymous visitor's are plain GETs, which a public bucket allows.
    /// </summary>
    private string DownloadUrl(HttpContext context, BrowserVisitor visitor, string bucket, string key)
    {
        if (!visitor.SignedIn) return "/" + bucket + "/" + SigV4.UriEncode(key);
        var name = FolderPage.FileName(key);
        var disposition = $"attachment; filename=\"{AsciiFallback(name)}\"; filename*=UTF-8''{Uri.EscapeDataString(name)}";
        return presigner.Presign("GET", Host(context), visitor.AccessKey!, bucket, key, LinkLifetime,
            [new("response-content-disposition", disposition)]);
    }

    private static string AsciiFallback(string name) =>
        new(name.Select(c => c is >= ' ' and < (char)127 and not '"' and not '\\' ? c : '_').ToArray());

    private static string Host(HttpContext context) => context.Request.Headers.Host.ToString();

    private static string Title(S3Exception e) => e.Error.Code switch
    {
        "NoSuchBucket" => "No such bucket",
        "NoSuchKey" => "No such object",
        _ => e.Error.Code,
    };

    private static async Task ChallengeAsync(HttpContext context, BrowserVisitor visitor)
    {
        context.Response.Headers.WWWAuthenticate = $"Basic realm=\"{BrowserVisitor.Realm}\", charset=\"UTF-8\"";
        var page = MessagePage.Render(visitor with { AccessKey = null },
            "Sign in", "Sign in with an access key (user name) and its secret key (password) known to this server.");
        await SendAsync(context, StatusCodes.Status401Unauthorized, page);
    }

    /// <summary>Answers with the page under a strict Content-Security-Policy: only its own nonce'd script runs.</summary>
    private static Task SendAsync(HttpContext context, int status, HtmlPage page)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.ContentSecurityPolicy =
            $"default-src 'none'; script-src 'nonce-{page.Nonce}'; style-src 'unsafe-inline'; img-src 'self' data:; " +
            "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
        return response.WriteAsync(page.ToString(), context.RequestAborted);
    }
}
