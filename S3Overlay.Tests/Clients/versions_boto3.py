"""boto3 against the proxy: bucket versioning, as S3 documents it.

Usage: python3 versions_boto3.py ENDPOINT BUCKET [embedded|s3]. With "s3" (an S3 server as the
local store) the answers that are the server's own (its errors for ids it never gave, the headers
of its refusals) are not checked. Prints OK at the end; any failed assertion or
unexpected answer exits non-zero with a traceback.
"""
import sys

from botocore.exceptions import ClientError

from proxy_client import s3_client

endpoint, bucket = sys.argv[1:3]
embedded = (sys.argv[3] if len(sys.argv) > 3 else "embedded") == "embedded"
s3 = s3_client(endpoint)


def error_of(call, **kwargs):
    try:
        call(**kwargs)
    except ClientError as e:
        return e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"].get("Code"), e.response["ResponseMetadata"]["HTTPHeaders"]
    raise AssertionError("%s succeeded" % call.__name__)


def versions(prefix="", **kwargs):
    page = s3.list_object_versions(Bucket=bucket, Prefix=prefix, **kwargs)
    return [(v["Key"], v["VersionId"], v["IsLatest"], "V") for v in page.get("Versions", [])] + \
           [(m["Key"], m["VersionId"], m["IsLatest"], "M") for m in page.get("DeleteMarkers", [])]


# A bucket never versioned: no status, no version ids on writes, its one version is "null".
s3.create_bucket(Bucket=bucket)
assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
plain = s3.put_object(Bucket=bucket, Key="before", Body=b"from before")
assert "VersionId" not in plain, plain
assert s3.get_object(Bucket=bucket, Key="before", VersionId="null")["Body"].read() == b"from before"
if embedded:
    assert error_of(s3.get_object, Bucket=bucket, Key="before", VersionId="0" * 32)[:2] == (404, "NoSuchVersion")

s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"

# Every write names its version; every version stays readable by its id.
v1 = s3.put_object(Bucket=bucket, Key="doc.txt", Body=b"one")["VersionId"]
v2 = s3.put_object(Bucket=bucket, Key="doc.txt", Body=b"two, longer")["VersionId"]
assert v1 and v2 and v1 != v2 and v1 != "null", (v1, v2)
latest = s3.get_object(Bucket=bucket, Key="doc.txt")
assert latest["Body"].read() == b"two, longer" and latest["VersionId"] == v2
old = s3.get_object(Bucket=bucket, Key="doc.txt", VersionId=v1)
assert old["Body"].read() == b"one" and old["VersionId"] == v1
assert s3.head_object(Bucket=bucket, Key="doc.txt", VersionId=v1)["ContentLength"] == 3
assert s3.get_object(Bucket=bucket, Key="doc.txt", VersionId=v1, Range="bytes=1-")["Body"].read() == b"ne"
# The object written before versioning is kept as the null version when overwritten.
v_before = s3.put_object(Bucket=bucket, Key="before", Body=b"after")["VersionId"]
assert s3.get_object(Bucket=bucket, Key="before", VersionId="null")["Body"].read() == b"from before"
assert s3.get_object(Bucket=bucket, Key="before")["VersionId"] == v_before

assert versions("doc") == [("doc.txt", v2, True, "V"), ("doc.txt", v1, False, "V")], versions("doc")

# A delete makes a delete marker; the key reads as missing, saying why; its versions stay.
deleted = s3.delete_object(Bucket=bucket, Key="doc.txt")
assert deleted["DeleteMarker"] is True and deleted["VersionId"] not in (v1, v2), deleted
marker = deleted["VersionId"]
status, code, headers = error_of(s3.get_object, Bucket=bucket, Key="doc.txt")
assert (status, code) == (404, "NoSuchKey"), (status, code)
if embedded:
    assert headers.get("x-amz-delete-marker") == "true" and headers.get("x-amz-version-id") == marker, headers
    status, code, headers = error_of(s3.get_object, Bucket=bucket, Key="doc.txt", VersionId=marker)
    assert status == 405 and headers.get("x-amz-delete-marker") == "true", (status, code, headers)
assert s3.get_object(Bucket=bucket, Key="doc.txt", VersionId=v2)["Body"].read() == b"two, longer"
assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix="doc")
assert versions("doc") == [("doc.txt", v2, False, "V"), ("doc.txt", v1, False, "V"), ("doc.txt", marker, True, "M")], versions("doc")

# Deleting the marker by its id brings the newest version back.
undeleted = s3.delete_object(Bucket=bucket, Key="doc.txt", VersionId=marker)
assert undeleted["DeleteMarker"] is True and undeleted["VersionId"] == marker, undeleted
assert s3.get_object(Bucket=bucket, Key="doc.txt")["Body"].read() == b"two, longer"

# Restoring an old version is copying it onto its key.
copied = s3.copy_object(Bucket=bucket, Key="doc.txt", CopySource={"Bucket": bucket, "Key": "doc.txt", "VersionId": v1})
assert copied["CopySourceVersionId"] == v1 and copied["VersionId"] not in (v1, v2), copied
v3 = copied["VersionId"]
assert s3.get_object(Bucket=bucket, Key="doc.txt")["Body"].read() == b"one"

# Tags of one version, not the others.
s3.put_object_tagging(Bucket=bucket, Key="doc.txt", VersionId=v2, Tagging={"TagSet": [{"Key": "k", "Value": "old"}]})
assert s3.get_object_tagging(Bucket=bucket, Key="doc.txt", VersionId=v2)["TagSet"] == [{"Key": "k", "Value": "old"}]
assert s3.get_object_tagging(Bucket=bucket, Key="doc.txt")["TagSet"] == []
assert s3.get_object(Bucket=bucket, Key="doc.txt", VersionId=v2)["Body"].read() == b"two, longer"

# Removing a version for good: the current one gives way to the one before.
s3.delete_object(Bucket=bucket, Key="doc.txt", VersionId=v3)
assert s3.get_object(Bucket=bucket, Key="doc.txt")["VersionId"] == v2
assert error_of(s3.get_object, Bucket=bucket, Key="doc.txt", VersionId=v3)[0] == 404
if embedded:
    assert error_of(s3.get_object, Bucket=bucket, Key="doc.txt", VersionId=v3)[1] == "NoSuchVersion"
    assert error_of(s3.get_object, Bucket=bucket, Key="doc.txt", VersionId="not-a-version")[:2] == (400, "InvalidArgument")

# Paging through versions, one at a time, with both markers.
for i in range(3):
    s3.put_object(Bucket=bucket, Key="page/a", Body=b"%d" % i)
s3.put_object(Bucket=bucket, Key="page/b", Body=b"b")
seen, kwargs = [], {}
while True:
    page = s3.list_object_versions(Bucket=bucket, Prefix="page/", MaxKeys=1, **kwargs)
    entries = page.get("Versions", []) + page.get("DeleteMarkers", [])
    assert len(entries) == 1, page
    seen.append((entries[0]["Key"], entries[0]["VersionId"]))
    if not page["IsTruncated"]:
        break
    kwargs = {"KeyMarker": page["NextKeyMarker"], "VersionIdMarker": page["NextVersionIdMarker"]}
everything = [(k, v) for k, v, _, _ in versions("page/")]
assert seen == everything and len(seen) == 4, (seen, everything)
rolled = s3.list_object_versions(Bucket=bucket, Delimiter="/")
assert [p["Prefix"] for p in rolled["CommonPrefixes"]] == ["page/"], rolled

# Multi-object delete of versions, and of a key (a marker).
page_a = [v for k, v in everything if k == "page/a"]
result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "page/a", "VersionId": v} for v in page_a] + [{"Key": "page/b"}]})
by_version = {(d["Key"], d.get("VersionId")): d for d in result["Deleted"]}
assert all(("page/a", v) in by_version for v in page_a), result
assert by_version[("page/b", None)]["DeleteMarker"] is True and by_version[("page/b", None)]["DeleteMarkerVersionId"], result
assert [k for k, _, _, _ in versions("page/")] == ["page/b", "page/b"], versions("page/")

# Suspended: writes make the null version, replacing the null version there was.
s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"
# The answer names no version: the null version's id is left out, as S3 and Ceph RGW leave it out.
assert "VersionId" not in s3.put_object(Bucket=bucket, Key="before", Body=b"null one")
assert "VersionId" not in s3.put_object(Bucket=bucket, Key="before", Body=b"null two")
assert [(v, latest) for k, v, latest, _ in versions("before")] == [("null", True), (v_before, False)], versions("before")
assert s3.get_object(Bucket=bucket, Key="before", VersionId="null")["Body"].read() == b"null two"

# A bucket with versions is not empty; with every version gone it can be deleted.
assert error_of(s3.delete_bucket, Bucket=bucket)[:2] == (409, "BucketNotEmpty")
for key, version, _, _ in versions():
    s3.delete_object(Bucket=bucket, Key=key, VersionId=version)
assert versions() == [], versions()
s3.delete_bucket(Bucket=bucket)
print("OK")
