"""boto3 against the proxy: S3 Object Lock, as S3 documents it.

Usage: python3 object_lock_boto3.py ENDPOINT BUCKET_PREFIX [embedded|s3]. With "s3" (an S3 server
as the local store, its locks passed through) the messages that are the server's own are not
checked. Prints OK at the end; any failed assertion exits non-zero with a traceback.
"""
import datetime
import os
import sys
import time

import urllib3

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Clients"))
from proxy_client import error_of, s3_client  # noqa: E402

endpoint, prefix = sys.argv[1:3]
embedded = (sys.argv[3] if len(sys.argv) > 3 else "embedded") == "embedded"
s3 = s3_client(endpoint)
UTC = datetime.timezone.utc


def soon(**delta):
    return (datetime.datetime.now(UTC) + datetime.timedelta(**delta)).replace(microsecond=0)


locked, plain = prefix + "-locked", prefix + "-plain"

# A bucket created with Object Lock keeps versions, for good.
s3.create_bucket(Bucket=locked, ObjectLockEnabledForBucket=True)
assert s3.get_bucket_versioning(Bucket=locked)["Status"] == "Enabled"
assert s3.get_object_lock_configuration(Bucket=locked)["ObjectLockConfiguration"] == {"ObjectLockEnabled": "Enabled"}
assert error_of(s3.put_bucket_versioning, Bucket=locked, VersioningConfiguration={"Status": "Suspended"}) == (409, "InvalidBucketState")

# A bucket without it: no configuration, and lock parameters are refused.
s3.create_bucket(Bucket=plain)
assert error_of(s3.get_object_lock_configuration, Bucket=plain) == (404, "ObjectLockConfigurationNotFoundError")
assert error_of(s3.put_object, Bucket=plain, Key="k", Body=b"x", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=soon(days=1)) == (400, "InvalidRequest")
s3.put_object(Bucket=plain, Key="k", Body=b"x")
assert error_of(s3.put_object_retention, Bucket=plain, Key="k", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": soon(days=1)}) == (400, "InvalidRequest")
assert error_of(s3.get_object_legal_hold, Bucket=plain, Key="k") == (400, "InvalidRequest")
# S3 enables it on a bucket only while versioning is enabled there.
enable = {"ObjectLockEnabled": "Enabled"}
assert error_of(s3.put_object_lock_configuration, Bucket=plain, ObjectLockConfiguration=enable) == (409, "InvalidBucketState")

# Configurations S3 refuses.
def rule(**retention):
    return {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": retention}}


assert error_of(s3.put_object_lock_configuration, Bucket=locked, ObjectLockConfiguration=rule(Mode="GOVERNANCE", Days=1, Years=1)) == (400, "MalformedXML")
assert error_of(s3.put_object_lock_configuration, Bucket=locked, ObjectLockConfiguration=rule(Mode="GOVERNANCE", Days=0)) == (400, "InvalidRetentionPeriod")
assert error_of(s3.put_object_lock_configuration, Bucket=locked, ObjectLockConfiguration=rule(Mode="governance", Days=1)) == (400, "MalformedXML")
assert error_of(s3.put_object_lock_configuration, Bucket=locked, ObjectLockConfiguration={"ObjectLockEnabled": "Disabled"}) == (400, "MalformedXML")

# Default retention: every new version gets it.
s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration=rule(Mode="GOVERNANCE", Days=1))
assert s3.get_object_lock_configuration(Bucket=locked)["ObjectLockConfiguration"] == rule(Mode="GOVERNANCE", Days=1)
v1 = s3.put_object(Bucket=locked, Key="doc", Body=b"first")["VersionId"]
head = s3.head_object(Bucket=locked, Key="doc")
assert head["ObjectLockMode"] == "GOVERNANCE", head
assert abs((head["ObjectLockRetainUntilDate"] - soon(days=1)).total_seconds()) < 300, head
retention = s3.get_object_retention(Bucket=locked, Key="doc", VersionId=v1)["Retention"]
assert retention["Mode"] == "GOVERNANCE" and retention["RetainUntilDate"] == head["ObjectLockRetainUntilDate"]
# A browser upload gets it too.
post = s3.generate_presigned_post(Bucket=locked, Key="posted")
posted = urllib3.PoolManager().request("POST", post["url"], fields={**post["fields"], "file": ("posted.txt", b"from a form")})
assert posted.status == 204, (posted.status, posted.data)
assert s3.head_object(Bucket=locked, Key="posted")["ObjectLockMode"] == "GOVERNANCE"
# …which blocks removing the version, not hiding it behind a delete marker.
assert error_of(s3.delete_object, Bucket=locked, Key="doc", VersionId=v1) == (403, "AccessDenied")
marker = s3.delete_object(Bucket=locked, Key="doc")
assert marker["DeleteMarker"] and marker["ResponseMetadata"]["HTTPStatusCode"] == 204
assert error_of(s3.delete_object, Bucket=locked, Key="doc", VersionId=v1) == (403, "AccessDenied")
assert s3.get_object(Bucket=locked, Key="doc", VersionId=v1)["Body"].read() == b"first"
# GOVERNANCE yields to the bypass (the root key may).
assert error_of(s3.put_object_retention, Bucket=locked, Key="doc", VersionId=v1, Retention={"Mode": "GOVERNANCE", "RetainUntilDate": soon(hours=1)}) == (403, "AccessDenied")
s3.put_object_retention(Bucket=locked, Key="doc", VersionId=v1, Retention={"Mode": "GOVERNANCE", "RetainUntilDate": soon(hours=1)}, BypassGovernanceRetention=True)
assert s3.delete_object(Bucket=locked, Key="doc", VersionId=v1, BypassGovernanceRetention=True)["ResponseMetadata"]["HTTPStatusCode"] == 204
assert error_of(s3.head_object, Bucket=locked, Key="doc", VersionId=v1)[0] == 404
s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration=enable)
assert s3.get_object_lock_configuration(Bucket=locked)["ObjectLockConfiguration"] == enable

# COMPLIANCE yields to nothing: not the bypass, not a shorter date, not another mode; a longer date is fine.
until = soon(days=2)
vc = s3.put_object(Bucket=locked, Key="ledger", Body=b"kept", ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=until)["VersionId"]
head = s3.head_object(Bucket=locked, Key="ledger", VersionId=vc)
assert head["ObjectLockMode"] == "COMPLIANCE" and head["ObjectLockRetainUntilDate"] == until, head
assert error_of(s3.delete_object, Bucket=locked, Key="ledger", VersionId=vc, BypassGovernanceRetention=True) == (403, "AccessDenied")
assert error_of(s3.put_object_retention, Bucket=locked, Key="ledger", Retention={"Mode": "COMPLIANCE", "RetainUntilDate": soon(days=1)}, BypassGovernanceRetention=True) == (403, "AccessDenied")
assert error_of(s3.put_object_retention, Bucket=locked, Key="ledger", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": soon(days=3)}, BypassGovernanceRetention=True) == (403, "AccessDenied")
longer = soon(days=3)
s3.put_object_retention(Bucket=locked, Key="ledger", Retention={"Mode": "COMPLIANCE", "RetainUntilDate": longer})
assert s3.get_object_retention(Bucket=locked, Key="ledger")["Retention"] == {"Mode": "COMPLIANCE", "RetainUntilDate": longer}
assert s3.get_object(Bucket=locked, Key="ledger")["ObjectLockMode"] == "COMPLIANCE"

# A retention that has run out protects nothing.
brief = s3.put_object(Bucket=locked, Key="brief", Body=b"short", ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=soon(seconds=3))["VersionId"]
assert error_of(s3.delete_object, Bucket=locked, Key="brief", VersionId=brief) == (403, "AccessDenied")
time.sleep(4.5)
assert s3.delete_object(Bucket=locked, Key="brief", VersionId=brief)["ResponseMetadata"]["HTTPStatusCode"] == 204

# A legal hold blocks removal whatever the dates and the bypass say; lifted, it no longer does.
held = s3.put_object(Bucket=locked, Key="held", Body=b"h", ObjectLockLegalHoldStatus="ON")["VersionId"]
assert s3.head_object(Bucket=locked, Key="held")["ObjectLockLegalHoldStatus"] == "ON"
assert s3.get_object_legal_hold(Bucket=locked, Key="held")["LegalHold"] == {"Status": "ON"}
assert error_of(s3.delete_object, Bucket=locked, Key="held", VersionId=held, BypassGovernanceRetention=True) == (403, "AccessDenied")
assert error_of(s3.put_object_legal_hold, Bucket=locked, Key="held", LegalHold={"Status": "on"}) == (400, "MalformedXML")
s3.put_object_legal_hold(Bucket=locked, Key="held", VersionId=held, LegalHold={"Status": "OFF"})
assert s3.get_object_legal_hold(Bucket=locked, Key="held", VersionId=held)["LegalHold"] == {"Status": "OFF"}
assert s3.delete_object(Bucket=locked, Key="held", VersionId=held)["ResponseMetadata"]["HTTPStatusCode"] == 204
free = s3.put_object(Bucket=locked, Key="free", Body=b"f")["VersionId"]
assert error_of(s3.get_object_retention, Bucket=locked, Key="free") == (404, "NoSuchObjectLockConfiguration")
s3.put_object_legal_hold(Bucket=locked, Key="free", LegalHold={"Status": "ON"})

# DeleteObjects judges each version on its own; the bypass applies to the request.
a = s3.put_object(Bucket=locked, Key="multi/a", Body=b"a", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=soon(days=1))["VersionId"]
b = s3.put_object(Bucket=locked, Key="multi/b", Body=b"b")["VersionId"]
result = s3.delete_objects(Bucket=locked, Delete={"Objects": [{"Key": "multi/a", "VersionId": a}, {"Key": "multi/b", "VersionId": b}]})
assert [(e["Key"], e["VersionId"], e["Code"]) for e in result["Errors"]] == [("multi/a", a, "AccessDenied")], result
assert [(d["Key"], d["VersionId"]) for d in result["Deleted"]] == [("multi/b", b)], result
result = s3.delete_objects(Bucket=locked, Delete={"Objects": [{"Key": "multi/a", "VersionId": a}]}, BypassGovernanceRetention=True)
assert not result.get("Errors") and [d["VersionId"] for d in result["Deleted"]] == [a], result

# A copy gets the request's lock (or the bucket's default), never its source's.
copied = s3.copy_object(Bucket=locked, Key="ledger-copy", CopySource={"Bucket": locked, "Key": "ledger"})["VersionId"]
head = s3.head_object(Bucket=locked, Key="ledger-copy", VersionId=copied)
assert "ObjectLockMode" not in head and "ObjectLockLegalHoldStatus" not in head, head
assert s3.delete_object(Bucket=locked, Key="ledger-copy", VersionId=copied)["ResponseMetadata"]["HTTPStatusCode"] == 204
copied = s3.copy_object(Bucket=locked, Key="ledger-copy", CopySource={"Bucket": locked, "Key": "ledger"}, ObjectLockLegalHoldStatus="ON")["VersionId"]
assert s3.head_object(Bucket=locked, Key="ledger-copy", VersionId=copied)["ObjectLockLegalHoldStatus"] == "ON"

# A multipart upload's lock is the completed object's. (Ceph RGW 16 drops a lock asked for at
# CreateMultipartUpload: s3-tests' test_object_lock_delete_multipart_* fail there too.)
upload = s3.create_multipart_upload(Bucket=locked, Key="big", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=soon(days=1))["UploadId"]
part = s3.upload_part(Bucket=locked, Key="big", UploadId=upload, PartNumber=1, Body=b"p" * 1024)
big = s3.complete_multipart_upload(Bucket=locked, Key="big", UploadId=upload, MultipartUpload={"Parts": [{"ETag": part["ETag"], "PartNumber": 1}]})["VersionId"]
if embedded:
    assert s3.head_object(Bucket=locked, Key="big", VersionId=big)["ObjectLockMode"] == "GOVERNANCE"
    assert error_of(s3.delete_object, Bucket=locked, Key="big", VersionId=big) == (403, "AccessDenied")

# Lock headers that do not make sense are refused before anything is written.
assert error_of(s3.put_object, Bucket=locked, Key="bad", Body=b"x", ObjectLockMode="GOVERNANCE")[0] == 400
assert error_of(s3.put_object, Bucket=locked, Key="bad", Body=b"x", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=soon(days=-1))[0] == 400
assert "Versions" not in s3.list_object_versions(Bucket=locked, Prefix="bad")

print("OK")
