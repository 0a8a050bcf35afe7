using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using S3Overlay.S3.Auth;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Routing;
using S3Overlay.Overlay.Fleet;
using S3Overlay.Storage;
using S3Overlay.Telemetry;

namespace S3Overlay.S3;

/// <summary>
/// The S3 protocol front end as one middleware: address → route → authenticate → handler, with
/// every failure answered as an S3 error. Requests that ASP.NET routing already matched (the
/// reserved <c>/_overlay/</c> endpoints) pass through.
/// </summary>
internal sealed class S3Endpoint(RequestDelegate next, S3RouteTable routes, IRequestAuthenticator authenticator, Policies.RequestAuthorizer authorizer,
    S3FrontEndOptions options, ILogger<S3Endpoint> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint() is not null || context.Request.Path.StartsWithSegments(options.ReservedPrefix))
        {
            await next(context);
            return;
        }

        var requestId = RequestIds.Next();
        context.Response.Headers["x-amz-request-id"] = requestId;
        context.Response.Headers["x-amz-id-2"] = requestId;
        context.Response.Headers.Server = "S3Overlay";
        // Objects are user content served on our own origin (beside /_overlay/ and its signed-in
        // pages): never sniffed into HTML, and any HTML renders in an opaque, script-less origin.
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers.ContentSecurityPolicy = "sandbox";
        S3Request? request = null;
        try
        {
            ExactCaseQuery.Install(context);
            var address = S3Address.From(context, options.BaseDomain);
            var scope = address.Bucket is null ? S3Scope.Service : address.Key is null ? S3Scope.Bucket : S3Scope.Object;
            var route = routes.Find(context.Request, scope) ?? throw Unroutable(context.Request, scope);
            RequestSpan.Describe(context, route.Operation, address.Bucket);
            request = new S3Request(context, address, route, requestId);
            context.Items[typeof(S3Request)] = request;
            await authenticator.AuthenticateAsync(request);
            if (PeerMark.Refuses(new PeerCaller(PeerMark.Of(context.Request), request.User is { IsRoot: true })))
                throw new S3Exception(S3Error.AccessDenied.WithMessage(PeerMark.Refusal));
            await authorizer.CheckExpectedOwnersAsync(request);
            await route.Handler(request);
        }
        catch (Exception e) when (ClientGone(context, e))
        {
            // The client went away (it reset the connection mid-upload, say): there is no one to
            // answer, and the connection is ended here, so Kestrel does not try to read the rest
            // of a body that will never come (it logged an error for such uploads).
            context.Abort();
        }
        catch (Exception caught) when (StorageErrors.AsS3(caught) is { } e)
        {
            // The one place a store's failure becomes the S3 error the client is answered with.
            if (!context.Response.HasStarted)
            {
                await S3ErrorWriter.WriteAsync(context, await HideMissingKeyAsync(request, e), requestId);
                return;
            }
            // An S3 error after the headers went out (a later chunk the remote refused): no error
            // document can follow the bytes already sent, and returning would let Kestrel report
            // the short body as our error. A cut connection, as for a body that fails to read.
            logger.LogWarning("Body of {Method} {Path} failed after its headers were sent: the connection is cut ({Code}: {Message}) ({RequestId})",
                context.Request.Method, context.Request.Path, e.Error.Code, e.Message, requestId);
            context.Abort();
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            // Kestrel gave up on the request body: too large, too slow (below its minimum data
            // rate: S3 answers a stalled upload RequestTimeout), or ended short of its Content-Length.
            var error = e.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => S3Error.EntityTooLarge,
                StatusCodes.Status408RequestTimeout => S3Error.RequestTimeout,
                _ => S3Error.IncompleteBody,
            };
            await S3ErrorWriter.WriteAsync(context, new S3Exception(error.WithMessage($"{error.Message} ({e.Message})")), requestId);
        }
        catch (IOException e)
        {
            // A body that could not be read (a remote that broke off, a failing disk): the store
            // is unavailable, not this server broken. Before the first byte went out that is a 503;
            // after, a cut connection is the only signal left that keeps a client from taking a
            // short body for a whole one.
            logger.LogWarning(e, "Body of {Method} {Path} failed {When} ({RequestId})", context.Request.Method, context.Request.Path,
                context.Response.HasStarted ? "after its headers were sent: the connection is cut" : "before it was sent", requestId);
            if (context.Response.HasStarted) context.Abort();
            else await S3ErrorWriter.WriteAsync(context, new S3Exception(S3Error.ServiceUnavailable), requestId);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Unhandled error in {Method} {Path} ({RequestId})", context.Request.Method, context.Request.Path, requestId);
            if (context.Response.HasStarted) context.Abort();
            else await S3ErrorWriter.WriteAsync(context, new S3Exception(S3Error.InternalError), requestId);
        }
    }

    /// <summary>Whether the failure is the client's connection ending: aborted, or reset under a read of its request's body.</summary>
    private static bool ClientGone(HttpContext context, Exception e) =>
        context.RequestAborted.IsCancellationRequested || ExceptionChain.Of(e).Any(x => x is Microsoft.AspNetCore.Connections.ConnectionResetException);

    /// <summary>A missing key is NoSuchKey only to a caller who may list the bucket; others, as on S3, learn only AccessDenied.</summary>
    private async Task<S3Exception> HideMissingKeyAsync(S3Request? request, S3Exception e)
    {
        // The root too is asked: a key-only bucket (Browseable false) tells no one.
        if (e.Error.Code != S3Error.NoSuchKey.Code || request is null || request.Operation is not ("GetObject" or "HeadObject")) return e;
        try
        {
            return await authorizer.TellsMissingKeysAsync(request) ? e : new S3Exception(S3Error.AccessDenied);
        }
        catch (Exception caught) when (StorageErrors.AsS3(caught) is { } other)
        {
            return other;
        }
    }

    private static S3Exception Unroutable(HttpRequest request, S3Scope scope) =>
        scope == S3Scope.Service && !HttpMethods.IsGet(request.Method)
            ? new S3Exception(S3Error.MethodNotAllowed)
            : new S3Exception(S3Error.NotImplemented);
}

/// <summary>Front-end settings: the virtual-host base domain and the reserved non-S3 prefix.</summary>
internal sealed record S3FrontEndOptions(string? BaseDomain, string ReservedPrefix = "/_overlay");
