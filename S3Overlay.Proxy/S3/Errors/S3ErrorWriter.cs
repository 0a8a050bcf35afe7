using System.Xml;
using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Http;
using S3Overlay.S3.Xml;
using S3Overlay.Telemetry;

namespace S3Overlay.S3.Errors;

/// <summary>Writes S3 error responses: the one XML writer for errors.</summary>
internal static class S3ErrorWriter
{
    public static async Task WriteAsync(HttpContext context, S3Exception error, string requestId)
    {
        var response = context.Response;
        if (response.HasStarted) return;
        if (response.ContentLength is not null) DropObjectHeaders(response);
        response.StatusCode = error.Error.Status;
        // A client that waits for 100 Continue before sending its body, and gets this final answer
        // instead, sends no body; botocore then reuses the connection, and Kestrel would read its
        // next request as this one's body (seen: boto3 got "404 Not Found" without a code for the
        // PUT after a refused one). RFC 9110 lets the server close the connection here.
        var refusedUpload = context.Request.Headers.Expect.ToString().Contains("100-continue", StringComparison.OrdinalIgnoreCase);
        if (refusedUpload) response.Headers.Connection = "close";
        RequestSpan.Failed(context, error.Error.Code);
        foreach (var (name, value) in error.Headers) response.Headers[name] = value;
        // HEAD answers and 304s carry no body (RFC 9110); S3 sends the status alone.
        if (HttpMethods.IsHead(context.Request.Method) || error.Error.Status == 304) return;

        response.ContentType = "application/xml";
        await WriteDocumentAsync(response, error, requestId);
        // A client that did not wait for 100 Continue is sending its body all the same: read it, so the close is clean.
        if (refusedUpload) await RefusedUploadBody.DrainIfSentAsync(context);
    }

    private static async Task WriteDocumentAsync(HttpResponse response, S3Exception error, string requestId)
    {
        await using var xml = XmlWriter.Create(response.Body, S3XmlResponse.Settings);
        await xml.WriteStartDocumentAsync();
        await xml.WriteStartElementAsync(null, "Error", null);
        await xml.WriteElementStringAsync(null, "Code", null, error.Error.Code);
        await xml.WriteElementStringAsync(null, "Message", null, error.Error.Message);
        foreach (var (name, value) in error.Details) await xml.WriteElementStringAsync(null, name, null, XmlSafe(value));
        if (error.Resource is not null) await xml.WriteElementStringAsync(null, "Resource", null, XmlSafe(error.Resource));
        await xml.WriteElementStringAsync(null, "RequestId", null, requestId);
        await xml.WriteEndElementAsync();
        await xml.WriteEndDocumentAsync();
    }

    // Keys, upload ids and bucket names echoed back may hold characters XML 1.0 cannot carry
    // (%00, %1F in a path); the writer would throw halfway through the answer (seen).
    private static string XmlSafe(string value) =>
        value.All(Carried) ? value : string.Concat(value.Select(c => Carried(c) ? c : '\uFFFD'));

    // Surrogates come in pairs here: request text is decoded from UTF-8, which leaves none alone.
    private static bool Carried(char c) => XmlConvert.IsXmlChar(c) || char.IsSurrogate(c);

    // An object's body that fails before its first byte is sent leaves the object's headers set:
    // its Content-Length would break the error's body (seen: a remote cut mid-body), and its ETag
    // or metadata would describe bytes that never came.
    private static void DropObjectHeaders(HttpResponse response)
    {
        foreach (var name in response.Headers.Keys.ToList())
            if (!KeptOnErrors.Any(kept => name.StartsWith(kept, StringComparison.OrdinalIgnoreCase)))
                response.Headers.Remove(name);
    }

    private static readonly string[] KeptOnErrors =
        ["x-amz-request-id", "x-amz-id-2", "Server", "Access-Control-", "Vary", "X-Content-Type-Options", "Content-Security-Policy"];
}
