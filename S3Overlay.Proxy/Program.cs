using S3Overlay.Configuration;
using S3Overlay.Hosting;

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
