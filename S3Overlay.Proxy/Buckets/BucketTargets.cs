using System.Collections.Frozen;
using Amazon.Runtime.CredentialManagement;
using Microsoft.Extensions.Configuration;
using S3Overlay.Configuration;
using S3Overlay.Storage;
using S3Overlay.Storage.S3;

namespace S3Overlay.Buckets;

/// <summary>
/// The bucket configuration: the section <c>Overlay:Buckets</c> of the .NET configuration
/// (appsettings.json, <c>serve --config FILE</c>, or <c>Overlay__Buckets__NAME__…</c> variables),
/// one entry per bucket, each naming its own remote or folder and its flags. Read and checked
/// once at start-up: a wrong entry stops it, naming the setting. Buckets not named here are
/// served by the <c>S3_OVERLAY_*</c> settings' local store and remote.
/// </summary>
internal sealed class BucketTargets
{
    public const string Section = "Overlay:Buckets";

    /// <summary>The keys a bucket may have (docs/configuration.md's per-bucket table is checked against these).</summary>
    internal static readonly string[] BucketKeys = ["Remote", "Folder", "ReadOnly", "Cache", "Hidden", "PublicRead", "Browseable"];
    /// <summary>The keys of a bucket's <c>Remote</c> section.</summary>
    internal static readonly string[] RemoteKeys =
        ["Endpoint", "Region", "AddressingStyle", "AccessKey", "SecretKey", "SessionToken", "CredentialsFile", "Profile", "Bucket", "Prefix", "Timeout"];

    private readonly FrozenDictionary<string, BucketTarget> _byName;

    private BucketTargets(IEnumerable<BucketTarget> targets) => _byName = targets.ToFrozenDictionary(t => t.Name, StringComparer.Ordinal);

    public static readonly BucketTargets None = new([]);

    public bool IsEmpty => _byName.Count == 0;

    public IEnumerable<BucketTarget> All => _byName.Values;

    public IEnumerable<BucketTarget> Remotes => _byName.Values.Where(t => t.Remote is not null);

    public IEnumerable<BucketTarget> Folders => _byName.Values.Where(t => t.Folder is not null);

    public BucketTarget? Of(string bucket) => _byName.GetValueOrDefault(bucket);

    /// <summary>
    /// Whether the bucket's flags refuse the action to everyone, the root included: a write to a
    /// read-only bucket, a listing of a key-only one. Asked before any policy.
    /// </summary>
    public bool Refuses(string action, string? bucket)
    {
        if (bucket is null || _byName.Count == 0 || !_byName.TryGetValue(bucket, out var target)) return false;
        if (target.ReadOnly && !(action.StartsWith("s3:Get", StringComparison.Ordinal) || action.StartsWith("s3:List", StringComparison.Ordinal)))
            return true;
        return !target.Browseable && action is "s3:ListBucket" or "s3:ListBucketVersions" or "s3:ListBucketMultipartUploads" or "s3:GetBucketAcl";
    }

    public static BucketTargets From(IConfiguration configuration) =>
        new(configuration.GetSection(Section).GetChildren().Select(Read).ToList());

    private static BucketTarget Read(IConfigurationSection bucket)
    {
        var name = bucket.Key;
        if (!BucketNameRule.IsValidForCreate(name)) throw new SettingException(Setting(bucket), $"'{name}' is not a bucket name (3-63 of a-z, 0-9, '.', '-')");
        RequireKnown(bucket, BucketKeys);
        var remote = bucket.GetSection("Remote");
        var folder = bucket["Folder"];
        if (remote.Exists() == !string.IsNullOrWhiteSpace(folder))
            throw new SettingException(Setting(bucket), "a bucket names either its Remote (a section) or its Folder, one of them");
        var flags = new SettingReader(bucket);
        var target = Named(bucket, () => new BucketTarget(name)
        {
            ReadOnly = flags.Bool("ReadOnly", false),
            Cache = flags.String("Cache") is null ? null : flags.Bool("Cache", false),
            Hidden = flags.Bool("Hidden", false),
            PublicRead = flags.Bool("PublicRead", false),
            Browseable = flags.Bool("Browseable", true),
        });
        if (folder is not null)
        {
            var full = Path.GetFullPath(folder.Trim());
            if (!Directory.Exists(full)) throw new SettingException(Setting(bucket, "Folder"), $"{full}: no such folder");
            return target with { Folder = full };
        }
        return ReadRemote(target, remote);
    }

    private static BucketTarget ReadRemote(BucketTarget target, IConfigurationSection remote)
    {
        RequireKnown(remote, RemoteKeys);
        var read = new SettingReader(remote);
        var endpoint = read.String("Endpoint") is { } text ? Endpoints.Parse(text, Setting(remote, "Endpoint")) : null;
        var pathStyle = RemoteStoreSettings.PathStyle(read.String("AddressingStyle", "virtual")!, Setting(remote, "AddressingStyle"));
        var (accessKey, secretKey, token) = Credentials(remote, read);
        var timeout = Named(remote, () => read.Duration("Timeout", Configuration.Catalog.RemoteCatalog.Timeout.Default!.Value));
        var remoteBucket = read.String("Bucket", target.Name)!;
        if (!BucketNameRule.IsRemoteName(remoteBucket)) throw new SettingException(Setting(remote, "Bucket"), $"'{remoteBucket}' is not a bucket name");
        var prefix = read.String("Prefix", "")!.TrimStart('/');
        if (prefix.Length > 0 && !prefix.EndsWith('/')) prefix += "/"; // a folder of the remote bucket: "data" is "data/"
        return target with
        {
            Remote = new S3StoreOptions($"remote store of bucket {target.Name}", endpoint, read.String("Region", "us-east-1")!, pathStyle, accessKey, secretKey, token)
            {
                RequestTimeout = timeout,
                ReadIdleTimeout = timeout,
            },
            RemoteBucket = remoteBucket,
            RemotePrefix = prefix,
        };
    }

    /// <summary>The remote's keys: given in the configuration, or read from an AWS shared credentials file (so secrets stay out of it), or none (unsigned).</summary>
    private static (string? AccessKey, string? SecretKey, string? Token) Credentials(IConfigurationSection remote, SettingReader read)
    {
        var accessKey = read.String("AccessKey");
        var secretKey = read.String("SecretKey");
        if ((accessKey is null) != (secretKey is null))
            throw new SettingException(Setting(remote, accessKey is null ? "AccessKey" : "SecretKey"), "the access key and the secret key must be set together");
        if (read.String("CredentialsFile") is not { } path) return (accessKey, secretKey, read.String("SessionToken"));
        if (accessKey is not null) throw new SettingException(Setting(remote, "CredentialsFile"), "give the keys or a credentials file, not both");
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new SettingException(Setting(remote, "CredentialsFile"), $"{full}: no such file");
        var profile = read.String("Profile", "default")!;
        if (!new SharedCredentialsFile(full).TryGetProfile(profile, out var found) || string.IsNullOrEmpty(found.Options.AccessKey) || string.IsNullOrEmpty(found.Options.SecretKey))
            throw new SettingException(Setting(remote, "CredentialsFile"), $"{full} has no profile [{profile}] with aws_access_key_id and aws_secret_access_key");
        return (found.Options.AccessKey, found.Options.SecretKey, string.IsNullOrEmpty(found.Options.Token) ? null : found.Options.Token);
    }

    /// <summary>A misspelt key would otherwise be ignored silently (a bucket meant read-only served writable).</summary>
    private static void RequireKnown(IConfigurationSection section, string[] known)
    {
        foreach (var child in section.GetChildren())
            if (!known.Contains(child.Key, StringComparer.Ordinal))
                throw new SettingException(Setting(section, child.Key), $"is not a setting here (known: {string.Join(", ", known)})");
    }

    /// <summary>A flag's bad value, named by its whole key rather than the reader's short one.</summary>
    private static T Named<T>(IConfigurationSection section, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (SettingException e)
        {
            throw new SettingException(Setting(section, e.Setting), e.Problem);
        }
    }

    /// <summary>The variable's spelling (<c>Overlay__Buckets__photos__Folder</c>); the error shows both it and the configuration key.</summary>
    private static string Setting(IConfigurationSection section, string? key = null) =>
        (key is null ? section.Path : section.Path + ":" + key).Replace(":", "__", StringComparison.Ordinal);
}
