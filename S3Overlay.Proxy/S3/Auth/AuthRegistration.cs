using S3Overlay.Configuration;

namespace S3Overlay.S3.Auth;

public static class AuthRegistration
{
    /// <summary>Reads the credentials, refuses an exposed default set-up, and registers the authenticator.</summary>
    public static void AddS3Authentication(this WebApplicationBuilder builder, SettingReader read)
    {
        var settings = AuthSettings.From(read, builder.Configuration);
        DefaultCredentialsGuard.Check(settings, builder.Configuration);
        var services = builder.Services;
        services.AddSingleton(settings);
        services.AddSingleton<SigningKeyCache>();
        services.AddSingleton<SigV4Verifier>();
        services.AddSingleton<SigV2Verifier>();
        services.AddSingleton<UrlPresigner>();
        services.AddSingleton<Acl.AclAccess>();
        services.AddSingleton<Policies.BucketPolicies>();
        services.AddSingleton<Policies.RequestAuthorizer>();
        services.TryAddSingleton<IRequestAuthenticator, RequestAuthenticator>();
        services.AddHostedService<DefaultCredentialsGuard.Warning>();
        if (settings.UsersFile is not null) services.AddHostedService<UsersFileWatcher>();
    }
}
