"""boto3 against the proxy: Put/Get/DeleteBucketLifecycleConfiguration with S3's answers and errors,
and x-amz-expiration on HEAD, GET and PUT for a rule with a date.

Usage: python3 lifecycle_configuration.py ENDPOINT BUCKET. BUCKET exists and has no lifecycle
configuration; the server's lifecycle day may be shortened (S3_OVERLAY_LIFECYCLE_DAY_SECONDS), which
the headers do not show. Prints OK at the end; a failed assertion or an unexpected client error exits
non-zero with a traceback.
"""
import datetime
import sys

from botocore.exceptions import ClientError

from proxy_client import s3_client

endpoint, bucket = sys.argv[1:3]
s3 = s3_client(endpoint)


def refused(rules):
    """The error S3 answers a configuration with (code, HTTP status, message); fails when it is accepted."""
    try:
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"].get("Message")
    raise AssertionError("accepted: %r" % (rules,))


try:
    s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    raise AssertionError("a bucket without rules answered GetBucketLifecycleConfiguration")
except ClientError as e:
    assert (e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Message"]) == \
        ("NoSuchLifecycleConfiguration", 404, "The lifecycle configuration does not exist"), e.response
    assert e.response["Error"]["BucketName"] == bucket, e.response

far = datetime.datetime(2099, 1, 1, tzinfo=datetime.timezone.utc)
rules = [
    {"ID": "far", "Filter": {"Prefix": "keep/"}, "Status": "Enabled", "Expiration": {"Date": far}},
    {"ID": "tagged", "Filter": {"And": {"Prefix": "t/", "Tags": [{"Key": "temp", "Value": "yes"}], "ObjectSizeGreaterThan": 10, "ObjectSizeLessThan": 1000}},
     "Status": "Enabled", "Expiration": {"Days": 30}},
    {"ID": "size", "Filter": {"ObjectSizeGreaterThan": 5}, "Status": "Disabled", "Expiration": {"Days": 7}},
    {"ID": "markers", "Filter": {"Prefix": ""}, "Status": "Enabled", "Expiration": {"ExpiredObjectDeleteMarker": True},
     "NoncurrentVersionExpiration": {"NoncurrentDays": 3, "NewerNoncurrentVersions": 2}},
    {"ID": "uploads", "Filter": {}, "Status": "Enabled", "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2}},
]
put = s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
assert put["ResponseMetadata"]["HTTPStatusCode"] == 200, put["ResponseMetadata"]
got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
assert got == rules, got

# A legacy rule (a Prefix of the rule's own, no Filter) and a rule without an ID, which S3 names.
s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
    {"Prefix": "old/", "Status": "Enabled", "Expiration": {"Days": 1}}]})
legacy = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
assert len(legacy) == 1 and legacy[0]["Prefix"] == "old/" and "Filter" not in legacy[0], legacy
assert 0 < len(legacy[0]["ID"]) <= 255, legacy

# Refusals, as S3 words them; none changes what is stored.
expire = {"Days": 1}
assert refused([{"ID": "x" * 256, "Filter": {}, "Status": "Enabled", "Expiration": expire}]) == \
    ("InvalidArgument", 400, "ID length should not exceed allowed limit of 255")
assert refused([{"ID": "same", "Filter": {}, "Status": "Enabled", "Expiration": expire},
                {"ID": "same", "Filter": {"Prefix": "b/"}, "Status": "Enabled", "Expiration": expire}]) == \
    ("InvalidArgument", 400, "Rule ID must be unique. Found same ID for more than one rule")
assert refused([{"ID": "zero", "Filter": {}, "Status": "Enabled", "Expiration": {"Days": 0}}]) == \
    ("InvalidArgument", 400, "'Days' for Expiration action must be a positive integer")
assert refused([{"ID": "noon", "Filter": {}, "Status": "Enabled", "Expiration": {"Date": datetime.datetime(2030, 1, 1, 12, tzinfo=datetime.timezone.utc)}}]) == \
    ("InvalidArgument", 400, "'Date' must be at midnight GMT")
assert refused([{"ID": "idle", "Filter": {}, "Status": "Enabled"}]) == \
    ("InvalidRequest", 400, "At least one action needs to be specified in a rule")
assert refused([{"ID": "status", "Filter": {}, "Status": "enabled", "Expiration": expire}])[:2] == ("MalformedXML", 400)
assert refused([{"ID": "both", "Filter": {}, "Status": "Enabled", "Expiration": {"Days": 1, "ExpiredObjectDeleteMarker": True}}]) == \
    ("InvalidArgument", 400, "ExpiredObjectDeleteMarker cannot be specified with Days or Date in a Lifecycle Expiration Policy.")
assert refused([{"ID": "mpu-tags", "Filter": {"Tag": {"Key": "a", "Value": "b"}}, "Status": "Enabled",
                 "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}]) == \
    ("InvalidRequest", 400, "AbortIncompleteMultipartUpload cannot be specified with Tags.")
assert refused([{"ID": "nc", "Filter": {}, "Status": "Enabled", "NoncurrentVersionExpiration": {"NoncurrentDays": 0}}]) == \
    ("InvalidArgument", 400, "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer")
assert refused([{"ID": "mpu", "Filter": {}, "Status": "Enabled", "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 0}}]) == \
    ("InvalidArgument", 400, "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer")
assert refused([{"ID": "two", "Filter": {"Prefix": "a/", "Tag": {"Key": "a", "Value": "b"}}, "Status": "Enabled", "Expiration": expire}])[:2] == ("MalformedXML", 400)
assert refused([])[:2] == ("MalformedXML", 400)
assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == legacy

# x-amz-expiration: the rule that expires the object first, its date as HTTP dates are written.
s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
put = s3.put_object(Bucket=bucket, Key="keep/a.txt", Body=b"kept")
expected = 'expiry-date="Thu, 01 Jan 2099 00:00:00 GMT", rule-id="far"'
assert put["Expiration"] == expected, put
assert s3.head_object(Bucket=bucket, Key="keep/a.txt")["Expiration"] == expected
assert s3.get_object(Bucket=bucket, Key="keep/a.txt")["Expiration"] == expected
# The tag rule applies only to an object with its tag, within its sizes; HEAD reads the tags to tell.
s3.put_object(Bucket=bucket, Key="t/a.txt", Body=b"x" * 100, Tagging="temp=yes")
s3.put_object(Bucket=bucket, Key="t/b.txt", Body=b"x" * 100, Tagging="temp=no")
s3.put_object(Bucket=bucket, Key="t/c.txt", Body=b"x" * 5, Tagging="temp=yes")
head = s3.head_object(Bucket=bucket, Key="t/a.txt")
# S3's day rounds up to the next midnight UTC; the header tells S3's calendar even where the
# server's lifecycle day is shortened (DAY_SECONDS) for its scans, as Ceph RGW's does.
due = (head["LastModified"] + datetime.timedelta(days=31)).replace(hour=0, minute=0, second=0)
assert head["Expiration"] == 'expiry-date="%s", rule-id="tagged"' % due.strftime("%a, %d %b %Y %H:%M:%S GMT"), head
assert "Expiration" not in s3.head_object(Bucket=bucket, Key="t/b.txt")
assert "Expiration" not in s3.get_object(Bucket=bucket, Key="t/c.txt")

s3.delete_bucket_lifecycle(Bucket=bucket)
assert "Expiration" not in s3.head_object(Bucket=bucket, Key="keep/a.txt")
try:
    s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    raise AssertionError("a deleted configuration was answered")
except ClientError as e:
    assert e.response["Error"]["Code"] == "NoSuchLifecycleConfiguration", e.response
print("OK")
