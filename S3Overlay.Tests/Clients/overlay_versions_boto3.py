"""boto3 through the overlay: versioning of a bucket a remote backs, as a client sees it.

Usage: python3 overlay_versions_boto3.py ENDPOINT BUCKET. BUCKET is backed by a remote holding
a.txt, c.txt and remote.txt (b"from the remote"), never written through the proxy. Prints OK at
the end; a failed assertion or an unexpected answer exits non-zero with a traceback.
"""
import sys

from proxy_client import error_of, s3_client

endpoint, bucket = sys.argv[1:3]
s3 = s3_client(endpoint)
REMOTE = b"from the remote"


def paged(**kwargs):
    """Every version and marker, one to a page: the order the listing gives them in, across every page boundary."""
    entries = []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, PaginationConfig={"PageSize": 1}, **kwargs):
        page_entries = [(v["Key"], v["VersionId"], v["IsLatest"], "V") for v in page.get("Versions", [])] + \
                       [(m["Key"], m["VersionId"], m["IsLatest"], "M") for m in page.get("DeleteMarkers", [])]
        assert len(page_entries) <= 1, page_entries
        entries += page_entries
    return entries


def body(**kwargs):
    return s3.get_object(Bucket=bucket, **kwargs)["Body"].read()


assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"

# The remote's objects are the null versions, each the latest while nothing local stacks over it.
assert body(Key="remote.txt") == REMOTE
current = s3.head_object(Bucket=bucket, Key="remote.txt")
assert current["VersionId"] == "null", current
assert paged() == [("a.txt", "null", True, "V"), ("c.txt", "null", True, "V"), ("remote.txt", "null", True, "V")], paged()

one = s3.put_object(Bucket=bucket, Key="remote.txt", Body=b"local one")["VersionId"]
assert one and one != "null", one
assert body(Key="remote.txt") == b"local one"
assert body(Key="remote.txt", VersionId="null") == REMOTE
assert body(Key="remote.txt", VersionId=one) == b"local one"
head = s3.head_object(Bucket=bucket, Key="remote.txt", VersionId="null")
assert head["VersionId"] == "null" and head["ContentLength"] == len(REMOTE), head

# A delete is a delete marker: listed, latest, refused by id (405), hiding the remote's object too.
deleted = s3.delete_object(Bucket=bucket, Key="remote.txt")
assert deleted["DeleteMarker"] is True and deleted["VersionId"] not in (None, "null", one), deleted
marker = deleted["VersionId"]
assert error_of(s3.get_object, Bucket=bucket, Key="remote.txt") == (404, "NoSuchKey")
assert error_of(s3.get_object, Bucket=bucket, Key="remote.txt", VersionId=marker)[0] == 405
assert paged() == [("a.txt", "null", True, "V"), ("c.txt", "null", True, "V"), ("remote.txt", marker, True, "M"),
                   ("remote.txt", one, False, "V"), ("remote.txt", "null", False, "V")], paged()
assert paged(Prefix="remote") == paged()[2:]

# Removing the marker, then the local version: the remote's object is the latest again.
removed = s3.delete_object(Bucket=bucket, Key="remote.txt", VersionId=marker)
assert removed["DeleteMarker"] is True and removed["VersionId"] == marker, removed
assert body(Key="remote.txt") == b"local one"
s3.delete_object(Bucket=bucket, Key="remote.txt", VersionId=one)
assert body(Key="remote.txt") == REMOTE
assert paged(Prefix="remote") == [("remote.txt", "null", True, "V")], paged(Prefix="remote")

# The remote's null version deleted (the remote is never written), the key has no version left: as
# in S3, it is absent, with no delete marker, and stays so.
gone = s3.delete_object(Bucket=bucket, Key="remote.txt", VersionId="null")
assert gone["VersionId"] == "null" and not gone.get("DeleteMarker"), gone
assert error_of(s3.get_object, Bucket=bucket, Key="remote.txt") == (404, "NoSuchKey")
assert error_of(s3.get_object, Bucket=bucket, Key="remote.txt", VersionId="null") == (404, "NoSuchVersion")
assert paged(Prefix="remote") == [], paged(Prefix="remote")
assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix="remote")

# Beneath a local version too: the version listing leaves it out, and once that version goes, the key is absent.
kept = s3.put_object(Bucket=bucket, Key="c.txt", Body=b"local c")["VersionId"]
s3.delete_object(Bucket=bucket, Key="c.txt", VersionId="null")
assert paged(Prefix="c") == [("c.txt", kept, True, "V")], paged(Prefix="c")
assert error_of(s3.head_object, Bucket=bucket, Key="c.txt", VersionId="null")[0] == 404
s3.delete_object(Bucket=bucket, Key="c.txt", VersionId=kept)
assert error_of(s3.get_object, Bucket=bucket, Key="c.txt") == (404, "NoSuchKey")
assert paged() == [("a.txt", "null", True, "V")], paged()

# Beneath a delete marker: the marker stays current, and once it is removed the key is absent.
over = s3.delete_object(Bucket=bucket, Key="a.txt")["VersionId"]
s3.delete_object(Bucket=bucket, Key="a.txt", VersionId="null")
assert paged() == [("a.txt", over, True, "M")], paged()
s3.delete_object(Bucket=bucket, Key="a.txt", VersionId=over)
assert error_of(s3.get_object, Bucket=bucket, Key="a.txt") == (404, "NoSuchKey")
assert paged() == [], paged()
print("OK")
