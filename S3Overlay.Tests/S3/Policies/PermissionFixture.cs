using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3.Policies;

/// <summary>
/// One proxy for the permission tests: a root key, a user per canned policy, a one-bucket user,
/// a user who may only set the tags of that bucket, one who may only delete in it, a user configured before policies existed
/// (no Policy), and three buckets: <c>team</c> (a
/// policy that denies deleting under <c>locked/</c> to everyone and lets <c>wo</c> read
/// <c>shared/</c>), <c>other</c>, and <c>pub</c> (MinIO's <c>download</c> policy).
/// </summary>
public sealed class PermissionFixture : IAsyncLifetime
{
    public const string Team = "team", Other = "other", Pub = "pub";
    public const string Seed = "seed.txt";

    public static readonly string TeamPolicy = """
        {"Version": "2012-10-17", "Statement": [
          {"Sid": "locked", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::team/locked/*"},
          {"Sid": "shared", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::000000000000:user/wo"]}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::team/shared/*"}]}
        """;

    private const string OneBucketPolicy = """{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::team", "arn:aws:s3:::team/*"]}]}""";

    private const string DeleterPolicy = """{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::team/*"}]}""";

    private const string TaggerPolicy = """{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutBucketTagging", "Resource": "arn:aws:s3:::team"}]}""";

    /// <summary>Each caller's name and its Policy setting (null: none configured); "root" is S3_OVERLAY_ACCESS_KEY.</summary>
    private static readonly (string Name, string? Policy)[] Users =
        [("rw", "readwrite"), ("ro", "readonly"), ("wo", "writeonly"), ("one", OneBucketPolicy), ("tags", TaggerPolicy), ("del", DeleterPolicy), ("legacy", null), ("adm", "admin")];

    public ProxyServer Proxy { get; private set; } = null!;
    private readonly Dictionary<string, AmazonS3Client> _clients = new(StringComparer.Ordinal);

    public AmazonS3Client Root => _clients["root"];

    public AmazonS3Client Client(string user) => _clients[user];

    public static string Secret(string user) => user + "-secret-key";

    public async ValueTask InitializeAsync()
    {
        var settings = new Dictionary<string, string?> { ["S3_OVERLAY_ACCESS_KEY"] = "root", ["S3_OVERLAY_SECRET_KEY"] = Secret("root") };
        for (var i = 0; i < Users.Length; i++)
        {
            settings[$"Overlay:Users:{i}:AccessKey"] = Users[i].Name;
            settings[$"Overlay:Users:{i}:SecretKey"] = Secret(Users[i].Name);
            if (Users[i].Policy is { } policy) settings[$"Overlay:Users:{i}:Policy"] = policy;
        }
        Proxy = await ProxyServer.StartAsync(settings);
        foreach (var name in Users.Select(u => u.Name).Append("root"))
            _clients[name] = Proxy.CreateClient(defaults: false, accessKey: name, secretKey: Secret(name));

        foreach (var bucket in new[] { Team, Other, Pub })
        {
            await Root.PutBucketAsync(bucket);
            await Root.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = Seed, ContentBody = "seed" });
        }
        await Root.PutObjectAsync(new PutObjectRequest { BucketName = Team, Key = "shared/note.txt", ContentBody = "shared" });
        await Root.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = Team, Policy = TeamPolicy });
        await Root.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = Pub, Policy = global::S3Overlay.S3.Policies.CannedPolicies.ForBucket("download", Pub) });
    }

    /// <summary>Whether the key exists, asked as the root.</summary>
    public async Task<bool> ExistsAsync(string bucket, string key)
    {
        try
        {
            await Root.GetObjectMetadataAsync(bucket, key);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients.Values) client.Dispose();
        await Proxy.DisposeAsync();
    }
}
