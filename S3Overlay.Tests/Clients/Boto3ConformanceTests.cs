using System.Runtime.CompilerServices;
using System.Text.Json;
using Amazon.S3.Model;
using S3Overlay.Tests.S3;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Clients;

/// <summary>
/// S3's answers as boto3 (Debian's python3-boto3) meets them, on every store:
/// boto3_conformance.py runs its cases once per store (one process; each case makes buckets of
/// its own) and each case is a test here, skipped visibly where s3rver cannot be the local store.
/// </summary>
public abstract class Boto3ConformanceTests(StoreTargets target) : EveryStoreTests(target)
{
    private static readonly ConditionalWeakTable<StoreTargets, Task<Dictionary<string, JsonElement>>> Runs = new();

    public static TheoryData<string> Cases =>
    [
        "bucket_acl_canned", "object_acl_canned_on_create", "object_acl_canned_set_later", "bucket_acl_revoke_all", "bucket_recreate",
        "anonymous_reads_of_what_is_missing", "presigned_expiry", "cors_preflight_of_a_presigned_url", "part_number_beyond_the_parts",
        "upload_part_copy_outside_its_source", "bad_digests_after_an_early_answer", "expected_bucket_owner", "object_torrent",
        "listing_url_encoding", "empty_continuation_token", "object_attributes_of_multipart_uploads", "post_object_forms",
        "post_object_checksum_is_kept",
    ];

    /// <summary>The cases a store cannot pass, with the reason it cannot.</summary>
    protected virtual IReadOnlyDictionary<string, string> Unsupported { get; } = new Dictionary<string, string>();

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Boto3_gets_S3s_answer(string name)
    {
        if (Unsupported.TryGetValue(name, out var why)) Assert.Skip(why);
        var results = await Runs.GetValue(Target, _ => RunAsync());
        Assert.True(results.TryGetValue(name, out var result), $"boto3_conformance.py reported nothing for {name}");
        Assert.True(result.GetProperty("ok").GetBoolean(), result.TryGetProperty("error", out var error) ? error.GetString() : name);
    }

    /// <summary>ListBuckets pages by max-buckets; boto3 1.26 cannot send it (its model predates it), AWSSDK can.</summary>
    [Fact]
    public async Task ListBuckets_with_max_buckets_answers_that_many_and_a_token_until_the_last_page()
    {
        var prefix = "mb" + Guid.NewGuid().ToString("N")[..10];
        string[] names = [prefix + "-a", prefix + "-b", prefix + "-c"];
        foreach (var name in names) await Client.PutBucketAsync(name);

        var seen = new List<string>();
        string? token = null;
        for (var page = 0; page < names.Length; page++)
        {
            var listed = await Client.ListBucketsAsync(new ListBucketsRequest { MaxBuckets = 1, Prefix = prefix, ContinuationToken = token });
            seen.Add(Assert.Single(listed.Buckets).BucketName);
            token = listed.ContinuationToken;
            Assert.Equal(page < names.Length - 1, token is not null);
        }
        Assert.Equal(names, seen);
    }

    private async Task<Dictionary<string, JsonElement>> RunAsync()
    {
        using var python = new ClientProcess();
        var script = Path.Combine(AppContext.BaseDirectory, "Clients", "boto3_conformance.py");
        string[] cases = [.. Cases.Select(row => (string)row.Data).Where(name => !Unsupported.ContainsKey(name))];
        var output = await python.RunAsync("/usr/bin/python3", [script, Target.Proxy.Url, .. cases]);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .ToDictionary(result => result.GetProperty("case").GetString()!);
    }
}

[ConformanceTests]
public sealed class EmbeddedStoreBoto3ConformanceTests(StoreTargets target) : Boto3ConformanceTests(target)
{
    protected override StoreKind Kind => StoreKind.Embedded;
}

[ConformanceTests]
public sealed class S3LocalStoreBoto3ConformanceTests(StoreTargets target) : Boto3ConformanceTests(target)
{
    protected override StoreKind Kind => StoreKind.S3Local;

    protected override IReadOnlyDictionary<string, string> Unsupported { get; } = new Dictionary<string, string>
    {
        ["object_acl_canned_set_later"] = "s3rver 3.7.1 misreads the SDK's x-amz-copy-source (decodeURI leaves %2F), so the S3 store's metadata copy that changes an object's ACL fails there.",
        ["object_attributes_of_multipart_uploads"] = "The S3 local store answers GetObjectAttributes' ObjectParts from what the server behind it keeps, and s3rver 3.7.1 keeps neither parts nor checksums.",
        ["post_object_checksum_is_kept"] = "s3rver 3.7.1 keeps no checksums (the S3 store adds them with a metadata copy s3rver cannot make); the checksum is still verified there.",
    };
}

[ConformanceTests]
public sealed class OverlayBoto3ConformanceTests(StoreTargets target) : Boto3ConformanceTests(target)
{
    protected override StoreKind Kind => StoreKind.Overlay;
}

/// <summary>The same tests with Ceph's RADOS Gateway, a production S3 server, as the local store.</summary>
[ConformanceTests]
public sealed class RgwLocalStoreBoto3ConformanceTests(StoreTargets target) : Boto3ConformanceTests(target)
{
    protected override StoreKind Kind => StoreKind.RgwLocal;

    protected override IReadOnlyDictionary<string, string> Unsupported { get; } = new Dictionary<string, string>
    {
        ["object_attributes_of_multipart_uploads"] = "The S3 local store answers GetObjectAttributes' ObjectParts from what the server behind it keeps, and RGW 16.2.15 tells neither: it ignores partNumber and keeps no checksums.",
    };
}
