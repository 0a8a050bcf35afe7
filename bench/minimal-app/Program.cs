// A minimal ASP.NET Core app: what the platform costs with no S3 in it (no signature, no store, no
// routing table). Two modes:
// --root FOLDER: serves the files under one folder, each GET opening and sending its file (the
//   floor for the bench's warm GETs).
// --remote URL: relays each GET to the remote as it came (path, query, Host: a presigned URL of the
//   remote stays valid), streaming the answer through: HttpClient in, Kestrel out, nothing stored
//   and nothing checked (the floor for the cold GETs with the cache off).
// Usage: MinimalFileServer (--root FOLDER | --remote URL) --urls http://127.0.0.1:PORT
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();
if (builder.Configuration["remote"] is { } remote)
{
    var http = new HttpClient { BaseAddress = new Uri(remote) };
    app.MapGet("/{**path}", async (HttpContext context) =>
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, context.Request.Path + context.Request.QueryString);
        request.Headers.Host = context.Request.Host.Value;
        using var answer = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)answer.StatusCode;
        context.Response.ContentLength = answer.Content.Headers.ContentLength;
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
