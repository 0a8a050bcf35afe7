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
}
