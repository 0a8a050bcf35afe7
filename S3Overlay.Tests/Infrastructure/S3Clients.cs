using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace S3Overlay.Tests.Infrastructure;

public static class S3Clients
{
    /// <param name="defaults">
    /// True keeps the SDK's default checksum behaviour (aws-chunked bodies with CRC32 trailers);
    /// false sets WHEN_REQUIRED, which third-party servers such as s3rver need.
    /// </param>
    public static AmazonS3Client Create(string url, string accessKey, string secretKey, bool defaults = true)
    {
        var config = new AmazonS3Config
        {
            ServiceURL = url,
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 0,
        };
        if (!defaults)
        {
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }
        return new AmazonS3Client(new BasicAWSCredentials(accessKey, secretKey), config);
    }

    /// <summary>Puts a <see cref="PatternData"/> object in one plain request (no aws-chunked body), as <paramref name="customize"/> adjusts it.</summary>
    public static Task<PutObjectResponse> PutPatternAsync(this IAmazonS3 client, string bucket, string key, long length, int seed, Action<PutObjectRequest>? customize = null)
    {
        var request = new PutObjectRequest
        {
            BucketName = bucket,
            Key = key,
            InputStream = PatternData.Open(length, seed),
            UseChunkEncoding = false,
            AutoCloseStream = true,
        };
        customize?.Invoke(request);
        return client.PutObjectAsync(request);
    }

    /// <summary>Puts every object of <paramref name="fromBucket"/> into <paramref name="toBucket"/>, one by one.</summary>
    public static async Task CopyBucketAsync(this IAmazonS3 from, string fromBucket, IAmazonS3 to, string toBucket)
    {
        var request = new ListObjectsV2Request { BucketName = fromBucket };
        ListObjectsV2Response page;
        do
        {
            page = await from.ListObjectsV2Async(request);
            foreach (var entry in page.S3Objects ?? [])
            {
                // Whole in memory (the tests' objects are a few MiB at most): the SDK signs a seekable body as it is.
                using var body = new MemoryStream();
                using (var got = await from.GetObjectAsync(fromBucket, entry.Key)) await got.ResponseStream.CopyToAsync(body);
                body.Position = 0;
                await to.PutObjectAsync(new PutObjectRequest { BucketName = toBucket, Key = entry.Key, InputStream = body, UseChunkEncoding = false });
            }
            request.ContinuationToken = page.NextContinuationToken;
        } while (page.IsTruncated == true);
    }
}
