using System.CommandLine;
using S3Overlay.Configuration.Catalog;

namespace S3Overlay.Cli.Admin;

/// <summary>Where the admin verbs find the server and how they sign in; shared by every admin verb.</summary>
internal sealed class ServerOptions
{
    public Option<string> Server { get; } = new("--server")
    {
        Description = "URL of the running s3overlay server",
        DefaultValueFactory = _ => ServerCatalog.Listen.Default!,
    };

    // The server's own variables, so on the server's machine the verbs sign in as it is configured.
    public Option<string> AccessKey { get; } = new("--access-key")
    {
        Description = "Access key to sign in with [env: S3_OVERLAY_ACCESS_KEY]",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(AccessCatalog.AccessKey.Variable!) ?? AccessCatalog.AccessKey.Default!,
    };

    public Option<string> SecretKey { get; } = new("--secret-key")
    {
        Description = "Its secret key [env: S3_OVERLAY_SECRET_KEY]",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(AccessCatalog.SecretKey.Variable!) ?? AccessCatalog.SecretKey.Default!,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Server);
        command.Options.Add(AccessKey);
        command.Options.Add(SecretKey);
    }

    public AdminClient Connect(ParseResult result) =>
        new(result.GetValue(Server)!, result.GetValue(AccessKey)!, result.GetValue(SecretKey)!);
}
