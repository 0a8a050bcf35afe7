"""boto3 against the proxy: a bucket policy whose conditions judge tags and request headers, as a
second user meets it. s3:ExistingObjectTag/<key> (the object's tags before the request),
s3:RequestObjectTag/<key> and s3:RequestObjectTagKeys (the tags a write sets, with ForAllValues),
s3:x-amz-acl and s3:x-amz-copy-source.

Usage: python3 tag_policy_conditions.py ENDPOINT BUCKET ROOT_KEY ROOT_SECRET ALT_KEY ALT_SECRET.
The root key owns BUCKET (which exists, empty); ALT_KEY's own policy grants nothing in it, so only
the bucket's policy lets it do anything. Prints OK at the end; a failed assertion or an unexpected
client error exits non-zero with a traceback.
"""
import json
import sys

from botocore.exceptions import ClientError

from proxy_client import s3_client

endpoint, bucket, root_key, root_secret, alt_key, alt_secret = sys.argv[1:7]
root = s3_client(endpoint, root_key, root_secret)
alt = s3_client(endpoint, alt_key, alt_secret)
arn = "arn:aws:s3:::" + bucket


def denied(call, **kwargs):
    try:
        call(Bucket=bucket, **kwargs)
    except ClientError as e:
        assert (e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]) == ("AccessDenied", 403), e.response
        return
    raise AssertionError("allowed: %s %r" % (call.__name__, kwargs))


def tags(**pairs):
    return {"TagSet": [{"Key": k, "Value": v} for k, v in pairs.items()]}


for key, security in (("public.txt", "public"), ("private.txt", "private")):
    root.put_object(Bucket=bucket, Key=key, Body=key.encode())
    root.put_object_tagging(Bucket=bucket, Key=key, Tagging=tags(security=security, owner="team"))
root.put_object(Bucket=bucket, Key="untagged.txt", Body=b"untagged")
root.put_object(Bucket=bucket, Key="src/public/a.txt", Body=b"copy me")
root.put_object(Bucket=bucket, Key="src/private/b.txt", Body=b"not me")

policy = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:PutObjectTagging"], "Resource": arn + "/*",
     "Condition": {"StringEquals": {"s3:ExistingObjectTag/security": "public"}}},
    {"Effect": "Allow", "Principal": "*", "Action": ["s3:PutObject", "s3:PutObjectTagging"], "Resource": arn + "/uploads/*",
     "Condition": {"StringEquals": {"s3:RequestObjectTag/project": "blue"},
                   "ForAllValues:StringEquals": {"s3:RequestObjectTagKeys": ["project", "stage"]}}},
    {"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": arn + "/copies/*",
     "Condition": {"StringLike": {"s3:x-amz-copy-source": bucket + "/src/public/*"}}},
    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": arn + "/src/*"},
    {"Effect": "Allow", "Principal": "*", "Action": ["s3:PutObject", "s3:PutObjectAcl"], "Resource": arn + "/acl/*"},
    {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": arn + "/acl/*",
     "Condition": {"StringLike": {"s3:x-amz-acl": "public*"}}},
]}
root.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))

# s3:ExistingObjectTag: the tags the object has now decide, case-sensitive key and value.
assert alt.get_object(Bucket=bucket, Key="public.txt")["Body"].read() == b"public.txt"
denied(alt.get_object, Key="private.txt")
denied(alt.get_object, Key="untagged.txt")
# Retagging is judged by the tags before it: public may become private, and then no more.
alt.put_object_tagging(Bucket=bucket, Key="public.txt", Tagging=tags(security="private"))
denied(alt.get_object, Key="public.txt")
denied(alt.put_object_tagging, Key="public.txt", Tagging=tags(security="public"))
assert root.get_object_tagging(Bucket=bucket, Key="public.txt")["TagSet"] == [{"Key": "security", "Value": "private"}]

# s3:RequestObjectTag and s3:RequestObjectTagKeys: the x-amz-tagging a write sends.
alt.put_object(Bucket=bucket, Key="uploads/ok.txt", Body=b"ok", Tagging="project=blue&stage=dev")
alt.put_object(Bucket=bucket, Key="uploads/only.txt", Body=b"ok", Tagging="project=blue")
denied(alt.put_object, Key="uploads/red.txt", Body=b"no", Tagging="project=red")
denied(alt.put_object, Key="uploads/none.txt", Body=b"no")
denied(alt.put_object, Key="uploads/extra.txt", Body=b"no", Tagging="project=blue&secret=1")
assert root.get_object_tagging(Bucket=bucket, Key="uploads/ok.txt")["TagSet"] == [
    {"Key": "project", "Value": "blue"}, {"Key": "stage", "Value": "dev"}]
listed = sorted(o["Key"] for o in root.list_objects_v2(Bucket=bucket, Prefix="uploads/").get("Contents", []))
assert listed == ["uploads/ok.txt", "uploads/only.txt"], listed

# s3:x-amz-copy-source names bucket/key; s3:x-amz-acl is the canned ACL asked for.
alt.copy_object(Bucket=bucket, Key="copies/a.txt", CopySource={"Bucket": bucket, "Key": "src/public/a.txt"})
assert root.get_object(Bucket=bucket, Key="copies/a.txt")["Body"].read() == b"copy me"
denied(alt.copy_object, Key="copies/b.txt", CopySource={"Bucket": bucket, "Key": "src/private/b.txt"})
alt.put_object(Bucket=bucket, Key="acl/private.txt", Body=b"mine", ACL="private")
denied(alt.put_object, Key="acl/public.txt", Body=b"everyone's", ACL="public-read")

print("OK")
