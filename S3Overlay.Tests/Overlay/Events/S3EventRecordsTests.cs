using System.Text;
using S3Overlay.Overlay.Events;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Overlay.Events;

/// <summary>The Records of an S3 event notification as RGW, MinIO and AWS write them.</summary>
[UnitTests]
public sealed class S3EventRecordsTests
{
    [Fact]
    public void Rgws_record_is_read_with_its_key_as_it_is()
    {
        // As RGW 16.2 sent it here (trimmed).
        const string json = """{"Records":[{"eventVersion":"2.2","eventSource":"ceph:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"evtest"},"object":{"key":"a/b c.txt","size":5,"eTag":"5d41402abc4b2a76b9719d911017c592","versionId":"","sequencer":"F2890A6BF54B0004"}},"opaqueData":""}]}""";
        var e = Assert.Single(S3EventRecords.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(("evtest", "a/b c.txt", false, "5d41402abc4b2a76b9719d911017c592", "ObjectCreated:Put", ""), (e.RemoteBucket, e.Key, e.Removed, e.ETag, e.EventName, e.OpaqueData));
        Assert.Equal("6B0A89F204004BF5", e.Sequencer);
    }

    [Fact]
    public void Aws_and_minio_keys_are_url_decoded_and_s3_prefixes_of_names_dropped()
    {
        const string json = """{"EventName":"s3:ObjectRemoved:Delete","Key":"b/x","Records":[{"eventSource":"minio:s3","eventName":"s3:ObjectRemoved:Delete","s3":{"bucket":{"name":"b"},"object":{"key":"a+b%2Fc%2B.txt","sequencer":"17F2C0A1B2C3D4E5"}}}]}""";
        var e = Assert.Single(S3EventRecords.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(("a b/c+.txt", true, null, "ObjectRemoved:Delete"), (e.Key, e.Removed, e.ETag, e.EventName));
        Assert.True(S3EventRecords.IsChange(e));
    }

    [Theory]
    [InlineData("""{"Records":{}}""")]
    [InlineData("""{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"}}}]}""")]
    [InlineData("""{"Records":[{"eventName":"ObjectCreated:Put","s3":{"object":{"key":"k"}}}]}""")]
    [InlineData("""{"Records":[{"s3":{"bucket":{"name":"b"},"object":{"key":"k"}}}]}""")]
    [InlineData("""[1,2]""")]
    public void What_is_not_a_notification_is_refused(string json) =>
        Assert.Throws<FormatException>(() => S3EventRecords.Parse(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void A_restore_or_a_tagging_event_is_not_a_change_of_the_bytes()
    {
        const string json = """{"Records":[{"eventSource":"aws:s3","eventName":"ObjectTagging:Put","s3":{"bucket":{"name":"b"},"object":{"key":"k"}}}]}""";
        Assert.False(S3EventRecords.IsChange(Assert.Single(S3EventRecords.Parse(Encoding.UTF8.GetBytes(json)))));
    }
}
