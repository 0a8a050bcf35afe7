using S3Overlay.Cli;
using S3Overlay.Configuration;
using S3Overlay.Hosting;

if (S3OverlayCommand.Handles(args)) return await S3OverlayCommand.RunAsync(args);

// No verb: the server, configured by the environment and appsettings.json (so `dotnet S3Overlay.Proxy.dll` and
// ASP.NET's own `--urls` start it as any ASP.NET app starts).
try
{
    ProxyApplication.Build(args).Run();
    return 0;
}
catch (SettingException e)
{
    Console.Error.WriteLine($"s3-overlay: {e.Message}");
    return 2;
}
