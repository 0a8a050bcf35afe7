using S3Overlay.Configuration;
using S3Overlay.Signing;

namespace S3Overlay.S3.Auth;

internal static class AuthRegistration
{
    /// <summary>Reads the credentials, refuses an exposed default set-up, and registers the authenticator.</summary>
    /// <param name="buckets">Configured buckets flagged PublicRead join <c>S3_OVERLAY_PUBLIC_BUCKETS</c>.</param>
    public static void AddS3Authentication(this WebApplicationBuilder builder, SettingReader read, Buckets.BucketTargets buckets)
    {
        var settings = AuthSettings.From(read, builder.Configuration);
        if (buckets.All.Any(b => b.PublicRead))
            settings = settings with { PublicBuckets = settings.PublicBuckets.Union(buckets.All.Where(b => b.PublicRead).Select(b => b.Name)).ToHashSet(StringComparer.Ordinal) };
        DefaultCredentialsGuard.Check(settings, builder.Configuration);
        var services = builder.Services;
        services.AddSingleton(settings);
        services.AddSingleton<SigningKeyCache>();
        services.AddSingleton<SigV4Verifier>();
        services.AddSingleton<SigV2Verifier>();
        services.AddSingleton<UrlPresigner>();
        services.AddSingleton<Acl.AclAccess>();
        services.AddSingleton<Acl.BucketAcls>();
        services.AddSingleton<Acl.BucketPublicAccessBlocks>();
        services.AddSingleton<Acl.NewObjectAcls>();
        services.AddSingleton<Policies.BucketPolicies>();
        services.AddSingleton<Policies.RequestAuthorizer>();
        services.TryAddSingleton<IRequestAuthenticator, RequestAuthenticator>();
        services.AddHostedService<DefaultCredentialsGuard.Warning>();
        if (settings.UsersFile is not null) services.AddHostedService<UsersFileWatcher>();
    }
}
