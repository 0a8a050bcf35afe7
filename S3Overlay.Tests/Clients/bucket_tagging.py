"""boto3 against the proxy: Put/Get/DeleteBucketTagging with S3's answers, limits and errors.

Usage: python3 bucket_tagging.py ENDPOINT BUCKET. BUCKET exists and has no tags. Prints OK at the
end; a failed assertion or an unexpected client error exits non-zero with a traceback.
"""
import sys

from botocore.exceptions import ClientError

from proxy_client import s3_client

endpoint, bucket = sys.argv[1:3]
s3 = s3_client(endpoint)


def tagging(*pairs):
    return {"TagSet": [{"Key": k, "Value": v} for k, v in pairs]}


def tags_now():
    return sorted((t["Key"], t["Value"]) for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"])


def refused(call, **kwargs):
    """The error S3 answers (code, HTTP status, message); fails when the call succeeds."""
    try:
        call(**kwargs)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"].get("Message")
    raise AssertionError("%s succeeded: %r" % (call.__name__, kwargs))


assert refused(s3.get_bucket_tagging, Bucket=bucket) == ("NoSuchTagSet", 404, "The TagSet does not exist")

first = [("project", "blue"), ("team name", "a b+c=d/e:f_g.h@i"), ("empty", ""), ("環境", "本番"), ("number-Ⅷ-²", "١٢")]
put = s3.put_bucket_tagging(Bucket=bucket, Tagging=tagging(*first))
assert put["ResponseMetadata"]["HTTPStatusCode"] == 200, put["ResponseMetadata"]  # S3 sends 204: see the handler
assert tags_now() == sorted(first), tags_now()

# A PUT replaces the whole set.
s3.put_bucket_tagging(Bucket=bucket, Tagging=tagging(("only", "this")))
assert tags_now() == [("only", "this")], tags_now()

# At S3's limits exactly: 50 tags, keys of 128 and values of 256 UTF-16 units (a character
# outside the Basic Multilingual Plane counts two).
fifty = [("k%02d" % i, "v" * 256) for i in range(47)] + [("k" * 128, ""), ("\U00010400" * 64, "x"), ("astral", "\U00010400" * 128)]
s3.put_bucket_tagging(Bucket=bucket, Tagging=tagging(*fifty))
assert tags_now() == sorted(fifty)

too_many = refused(s3.put_bucket_tagging, Bucket=bucket, Tagging=tagging(*[("k%d" % i, "v") for i in range(51)]))
assert too_many == ("BadRequest", 400, "Bucket tag count cannot be greater than 50"), too_many
for pair, message in [
    (("k" * 129, "v"), "The TagKey you have provided is invalid"),
    (("\U00010400" * 65, "v"), "The TagKey you have provided is invalid"),
    (("tab\tkey", "v"), "The TagKey you have provided is invalid"),
    (("key!", "v"), "The TagKey you have provided is invalid"),
    (("k", "v" * 257), "The TagValue you have provided is invalid"),
    (("k", "semi;colon"), "The TagValue you have provided is invalid"),
    (("aws:cost", "v"), "System tags cannot be added/updated by requester"),
]:
    error = refused(s3.put_bucket_tagging, Bucket=bucket, Tagging=tagging(pair))
    assert error == ("InvalidTag", 400, message), (pair, error)
duplicate = refused(s3.put_bucket_tagging, Bucket=bucket, Tagging=tagging(("same", "1"), ("same", "2")))
assert duplicate == ("InvalidTag", 400, "Cannot provide multiple Tags with the same key"), duplicate
# Refused sets change nothing; a key that only contains aws: is anyone's.
assert tags_now() == sorted(fifty)
s3.put_bucket_tagging(Bucket=bucket, Tagging=tagging(("team:aws:cost", "fine")))
assert tags_now() == [("team:aws:cost", "fine")]

# An empty set leaves the bucket without tags.
s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": []})
assert refused(s3.get_bucket_tagging, Bucket=bucket)[:2] == ("NoSuchTagSet", 404)

s3.put_bucket_tagging(Bucket=bucket, Tagging=tagging(("a", "1")))
deleted = s3.delete_bucket_tagging(Bucket=bucket)
assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204, deleted["ResponseMetadata"]
assert refused(s3.get_bucket_tagging, Bucket=bucket)[:2] == ("NoSuchTagSet", 404)
again = s3.delete_bucket_tagging(Bucket=bucket)
assert again["ResponseMetadata"]["HTTPStatusCode"] == 204, again["ResponseMetadata"]

missing = "nx-" + bucket
for call, kwargs in [(s3.get_bucket_tagging, {}), (s3.put_bucket_tagging, {"Tagging": tagging(("a", "1"))}), (s3.delete_bucket_tagging, {})]:
    error = refused(call, Bucket=missing, **kwargs)
    assert error[:2] == ("NoSuchBucket", 404), (call.__name__, error)

print("OK")
