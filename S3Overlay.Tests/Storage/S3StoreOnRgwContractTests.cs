using S3Overlay.Storage;
using S3Overlay.Storage.S3;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Storage;

/// <summary>
/// The store contract, run against the S3 store with Ceph's RADOS Gateway, a production S3
/// server, as its server (the run's shared cluster, <see cref="SharedRgw"/>: a bucket per test).
/// Only RGW's own documented limits are off.
/// </summary>
[FunctionalTests]
public sealed class S3StoreOnRgwContractTests : ObjectStoreContract
{
    // ListObjectsV2 returns no user metadata, where preserved validators live.
    private protected override bool ListingsShowPreservedValidators => false;

    // The AWSSDK for .NET that the S3 store uses loses them on the way (see S3StoreOnProxyContractTests).
    private protected override bool HoldsDotSegmentKeys => false;

    // RGW 16.2.15 completes over an object whatever If-None-Match or If-Match says.
    private protected override bool HonoursCompletionConditions => false;

    // RGW 16.2.15 refuses a completion that skips a part number (InvalidPart), calls parts out of
    // order InvalidPart, and answers 500 InternalError (not NoSuchUpload) to completing an upload gone.
    private protected override bool CompletesAsS3Does => false;

    // RGW 16.2.15 answers ListMultipartUploads with a delimiter without CommonPrefixes (every upload listed).
    private protected override bool RollsUpUploadListings => false;

    private protected override async Task<IObjectStore> CreateStoreAsync()
    {
        var user = (await SharedRgw.GetAsync()).Tenant;
        return new S3ObjectStore(new S3StoreOptions("local store", new Uri(user.Url), AccessKey: user.AccessKey, SecretKey: user.SecretKey));
    }

    private protected override Task DisposeStoreAsync()
    {
        ((S3ObjectStore?)Store)?.Dispose();
        return Task.CompletedTask;
    }
}
