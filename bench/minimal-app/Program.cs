// A minimal ASP.NET Core app that serves the files under one folder, each GET opening and sending
// its file: what the platform costs for a warm GET with no S3 at all (no signature, no store, no
// routing table). The bench's warm 4 KiB row is measured against it. Usage: MinimalFileServer
// --root FOLDER --urls http://127.0.0.1:PORT
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var root = Path.GetFullPath(builder.Configuration["root"] ?? throw new ArgumentException("--root FOLDER is required")) + Path.DirectorySeparatorChar;
var app = builder.Build();
app.MapGet("/{**path}", (string path) =>
{
    var file = Path.GetFullPath(Path.Combine(root, path));
    return file.StartsWith(root, StringComparison.Ordinal) && File.Exists(file)
        ? Results.File(file, "application/octet-stream")
        : Results.NotFound();
});
app.Run();
