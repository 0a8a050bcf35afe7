using S3Overlay.S3.Errors;
using S3Overlay.Storage;
using S3Overlay.Storage.Errors;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3;

/// <summary>
/// Each storage fault has its S3 error, and the store's own groupings (missing, conflict, a
/// condition's answer, the store's trouble) are exactly the S3 statuses the front end answers:
/// the overlay decides by the first, clients see the second.
/// </summary>
[UnitTests]
public sealed class StorageErrorsTests
{
    public static TheoryData<string> Faults() => new(Enum.GetNames<StorageFault>());

    [Theory]
    [MemberData(nameof(Faults))]
    public void Every_fault_is_answered_and_its_group_is_its_status(string name)
    {
        var fault = Enum.Parse<StorageFault>(name);
        var status = StorageErrors.Of(fault).Status;
        var e = new StorageException(fault);
        Assert.Equal(status == 404, e.IsMissing);
        Assert.Equal(status == 409, e.IsConflict);
        Assert.Equal(status is 304 or 412 or 416, e.IsConditionAnswer);
        Assert.Equal(status >= 500, e.IsStoreSide);
    }

    [Fact]
    public void The_answer_carries_the_store_s_message_resource_details_and_headers()
    {
        var range = StorageErrors.ToS3(StorageException.RangeNotSatisfiable(10));
        Assert.Equal(("InvalidRange", 416), (range.Error.Code, range.Error.Status));
        Assert.Equal("bytes */10", range.Headers["Content-Range"]);
        Assert.Equal("10", range.Details["ActualObjectSize"]);

        var down = StorageErrors.ToS3(new StorageException(StorageFault.StoreUnreachable, "photos", "The remote store could not be reached: refused"));
        Assert.Equal(("ServiceUnavailable", 503, "The remote store could not be reached: refused", "photos"), (down.Error.Code, down.Error.Status, down.Message, down.Resource));

        var missing = StorageErrors.ToS3(StorageException.ObjectNotFound("a/b"));
        Assert.Equal((S3Error.NoSuchKey.Message, "a/b", "a/b"), (missing.Message, missing.Resource, missing.Details["Key"]));

        var info = new ObjectInfo("k", 1, "\"e\"", new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero), ObjectMetadata.Empty);
        var notModified = StorageErrors.ToS3(StorageException.NotModified(info));
        Assert.Equal((304, "\"e\"", "Wed, 02 Jan 2030 03:04:05 GMT"), (notModified.Error.Status, notModified.Headers["ETag"], notModified.Headers["Last-Modified"]));
    }

    [Fact]
    public void Only_S3_and_storage_errors_are_answered_as_such()
    {
        var s3 = new S3Exception(S3Error.AccessDenied);
        Assert.Same(s3, StorageErrors.AsS3(s3));
        Assert.Equal("NoSuchBucket", StorageErrors.AsS3(StorageException.BucketNotFound("b"))!.Error.Code);
        Assert.Null(StorageErrors.AsS3(new IOException("disk")));
    }
}
