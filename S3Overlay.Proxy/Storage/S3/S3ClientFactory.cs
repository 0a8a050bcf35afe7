using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.S3;

namespace S3Overlay.Storage.S3;

/// <summary>Builds the AWSSDK.S3 client of an <see cref="S3ObjectStore"/> with the settings third-party servers need.</summary>
internal static class S3ClientFactory
{
    public static AmazonS3Client Create(S3StoreOptions options, StreamingHttpClientFactory http)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.PathStyle,
            // The SDK's default (WHEN_SUPPORTED) adds CRC trailers to every upload and wraps every
            // download in a validating stream; MinIO releases, s3rver, R2 and others reject or
            // mangle the former, and the latter costs CPU on a pass-through path.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            // One retry layer: the SDK retries a failed request once; nothing above it retries again.
            // Standard mode, whose policy RetryingClient replaces with one that takes a refused connection as final.
            MaxErrorRetry = 1,
            RetryMode = RequestRetryMode.Standard,
            HttpClientFactory = http,
            AuthenticationRegion = options.Region,
            // The buffer a request body is copied to the socket through: the default 8 KiB cut a
            // 256 KiB PUT into 34 sends, each a segment the server takes in on its own.
            BufferSize = 64 * 1024,
        };
        if (options.Endpoint is { } endpoint)
            config.ServiceURL = StreamingHttpClientFactory.SignableUrl(endpoint);
        else
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        return new RetryingClient(Credentials(options), config);
    }

    private sealed class RetryingClient(AWSCredentials credentials, AmazonS3Config config) : AmazonS3Client(credentials, config)
    {
        protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
        {
            base.CustomizeRuntimePipeline(pipeline);
            pipeline.ReplaceHandler<RetryHandler>(new RetryHandler(new RefusalFinalRetryPolicy(Config)));
        }
    }

    private static AWSCredentials Credentials(S3StoreOptions options) => options switch
    {
        { AccessKey: { } key, SecretKey: { } secret, SessionToken: { } token } => new SessionAWSCredentials(key, secret, token),
        { AccessKey: { } key, SecretKey: { } secret } => new BasicAWSCredentials(key, secret),
        _ => new AnonymousAWSCredentials(),
    };
}
