// A minimal ASP.NET Core app: what the platform costs with no S3 in it (no signature, no store, no
// routing table). Two modes:
// --root FOLDER: serves the files under one folder, each GET opening and sending its file (the
//   floor for the bench's warm GETs).
// --remote URL: relays each GET, HEAD and PUT to the remote as it came (path, query, headers,
//   Host: a signed request or presigned URL of the remote stays valid), streaming the bodies
//   through both ways: HttpClient in, Kestrel out, nothing stored and nothing checked (the floor
//   for the cold GETs with the cache off, and for one hop in front of an S3 server).
// Usage: MinimalFileServer (--root FOLDER | --remote URL) --urls http://127.0.0.1:PORT
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();
if (builder.Configuration["remote"] is { } remote)
{
    var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(remote) };
    string[] hopByHop = ["Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Expect", "Proxy-Connection", "TE", "Trailer"];
    app.MapMethods("/{**path}", ["GET", "HEAD", "PUT"], async (HttpContext context) =>
    {
        var incoming = context.Request;
        using var request = new HttpRequestMessage(new HttpMethod(incoming.Method), incoming.Path + incoming.QueryString);
        if (incoming.ContentLength is > 0 || incoming.Headers.TransferEncoding.Count > 0)
            request.Content = new StreamContent(incoming.Body);
        foreach (var (name, value) in incoming.Headers)
        {
            if (hopByHop.Contains(name, StringComparer.OrdinalIgnoreCase)) continue;
            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)value))
                request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)value);
        }
        using var answer = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, value) in answer.Headers.Concat(answer.Content.Headers))
            if (!hopByHop.Contains(name, StringComparer.OrdinalIgnoreCase)) context.Response.Headers[name] = value.ToArray();
        await answer.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    });
}
else
{
    var root = Path.GetFullPath(builder.Configuration["root"] ?? throw new ArgumentException("--root FOLDER or --remote URL is required")) + Path.DirectorySeparatorChar;
    app.MapGet("/{**path}", (string path) =>
    {
        var file = Path.GetFullPath(Path.Combine(root, path));
        return file.StartsWith(root, StringComparison.Ordinal) && File.Exists(file)
            ? Results.File(file, "application/octet-stream")
            : Results.NotFound();
    });
}
app.Run();
