using System.CommandLine;
using Amazon.Runtime;
using Amazon.S3;
using S3Overlay.Cli.Admin;
using S3Overlay.S3.Policies;

namespace S3Overlay.Cli.Users;

/// <summary>
/// <c>s3overlay policy set BUCKET none|download|upload|public</c> and <c>policy get BUCKET</c>: a
/// bucket's anonymous access as <c>mc anonymous</c> sets it, through the S3 API (bucket policies).
/// </summary>
internal static class PolicyCommand
{
    public static Command Create()
    {
        var bucket = new Argument<string>("bucket") { Description = "The bucket" };
        var name = new Argument<string>("access") { Description = "none, download, upload or public" };
        name.AcceptOnlyFromAmong(CannedPolicies.BucketPolicyNames);

        var setServer = new ServerOptions();
        var set = new Command("set", "Set who may read or write the bucket without credentials") { bucket, name };
        setServer.AddTo(set);
        set.SetAction(async (result, ct) =>
        {
            var b = result.GetValue(bucket)!;
            var access = result.GetValue(name)!;
            using var s3 = Connect(result, setServer);
            await CallAsync(result, setServer, async () =>
            {
                if (CannedPolicies.ForBucket(access, b) is { } policy) await s3.PutBucketPolicyAsync(b, policy, ct);
                else await s3.DeleteBucketPolicyAsync(b, ct);
            });
            await result.InvocationConfiguration.Output.WriteLineAsync($"{b}: anonymous access is {access}");
            return 0;
        });

        var getServer = new ServerOptions();
        var get = new Command("get", "Tell the bucket's anonymous access (a canned name, or custom and its policy)") { bucket };
        getServer.AddTo(get);
        get.SetAction(async (result, ct) =>
        {
            var b = result.GetValue(bucket)!;
            using var s3 = Connect(result, getServer);
            var policy = "";
            await CallAsync(result, getServer, async () =>
            {
                // The SDK hands back GetBucketPolicy's 404 (NoSuchBucketPolicy) as a response: no policy, no anonymous access.
                var response = await s3.GetBucketPolicyAsync(b, ct);
                policy = response.HttpStatusCode == System.Net.HttpStatusCode.NotFound ? "" : response.Policy;
            });
            var known = policy.Length == 0 ? "none" : CannedPolicies.BucketPolicyNames.FirstOrDefault(n => CannedPolicies.ForBucket(n, b) == policy);
            await result.InvocationConfiguration.Output.WriteLineAsync(known is not null ? $"{b}: anonymous access is {known}" : $"{b}: custom policy\n{policy}");
            return 0;
        });

        return new Command("policy", "A bucket's anonymous access (bucket policy), as mc anonymous sets it") { set, get };
    }

    private static AmazonS3Client Connect(ParseResult result, ServerOptions server) =>
        new(new BasicAWSCredentials(result.GetValue(server.AccessKey), result.GetValue(server.SecretKey)), new AmazonS3Config
        {
            ServiceURL = result.GetValue(server.Server),
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 0,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });

    private static async Task CallAsync(ParseResult result, ServerOptions server, Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (AmazonS3Exception e)
        {
            throw new CliException($"{result.GetValue(server.Server)}: {e.ErrorCode}: {e.Message}", exitCode: 1);
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"cannot reach {result.GetValue(server.Server)}: {e.Message}", exitCode: 1);
        }
    }
}
