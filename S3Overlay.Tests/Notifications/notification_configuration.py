"""boto3 against the proxy: Put/GetBucketNotificationConfiguration with S3's answers and errors,
naming a target by its MinIO ARN as a configuration written for MinIO does.

Usage: python3 notification_configuration.py ENDPOINT BUCKET ARN. ARN is a declared target's
(arn:minio:sqs::ID:webhook); BUCKET exists with no configuration. Prints OK at the end; a failed
assertion exits non-zero with a traceback.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Clients"))
from proxy_client import error_of, s3_client  # noqa: E402

endpoint, bucket, arn = sys.argv[1:4]
s3 = s3_client(endpoint)


def configuration():
    got = s3.get_bucket_notification_configuration(Bucket=bucket)
    got.pop("ResponseMetadata")
    return got


def queue(events, prefix=None, suffix=None, target=arn, id=None):
    entry = {"QueueArn": target, "Events": events}
    rules = ([{"Name": "prefix", "Value": prefix}] if prefix is not None else []) + ([{"Name": "suffix", "Value": suffix}] if suffix is not None else [])
    if rules:
        entry["Filter"] = {"Key": {"FilterRules": rules}}
    if id:
        entry["Id"] = id
    return entry


def put(**kwargs):
    return s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=kwargs)


# None at first: an empty configuration, as S3 answers.
assert configuration() == {}, configuration()

put(QueueConfigurations=[queue(["s3:ObjectCreated:*"], prefix="images/", suffix=".jpg", id="thumbnails")],
    TopicConfigurations=[{"Id": "audit", "TopicArn": arn, "Events": ["s3:ObjectRemoved:*"]}])
got = configuration()
assert got["QueueConfigurations"] == [queue(["s3:ObjectCreated:*"], prefix="images/", suffix=".jpg", id="thumbnails")], got
assert got["TopicConfigurations"] == [{"Id": "audit", "TopicArn": arn, "Events": ["s3:ObjectRemoved:*"]}], got

# An Id is made up when none is given.
put(QueueConfigurations=[queue(["s3:ObjectCreated:Put"])])
made = configuration()["QueueConfigurations"][0]
assert made["Id"], made

# The region may be spelt out when it is the server's.
region_arn = arn.replace("arn:minio:sqs::", "arn:minio:sqs:us-east-1:")
put(QueueConfigurations=[queue(["s3:ObjectCreated:Put"], target=region_arn)])
assert configuration()["QueueConfigurations"][0]["QueueArn"] == arn

invalid = "InvalidArgument"
for target in ["arn:minio:sqs::no-such-id:webhook", "arn:minio:sqs:eu-west-9:" + arn.split(":")[4] + ":webhook", "not-an-arn",
               "arn:aws:sqs:us-east-1:123456789012:queue"]:
    assert error_of(put, QueueConfigurations=[queue(["s3:ObjectCreated:*"], target=target)]) == (400, invalid), target

# Configurations that share an event type, with filters a key can pass together, overlap.
for first, second in [
    (queue(["s3:ObjectCreated:*"]), queue(["s3:ObjectCreated:Put"])),
    (queue(["s3:ObjectCreated:*"], prefix="a/"), queue(["s3:ObjectCreated:*"], prefix="a/b/")),
    (queue(["s3:ObjectRemoved:Delete"], suffix=".jpg"), queue(["s3:ObjectRemoved:*"], suffix="x.jpg")),
]:
    assert error_of(put, QueueConfigurations=[first, second]) == (400, invalid), (first, second)
# Apart, they do not.
put(QueueConfigurations=[queue(["s3:ObjectCreated:*"], prefix="a/"), queue(["s3:ObjectCreated:*"], prefix="b/"),
                         queue(["s3:ObjectRemoved:*"], prefix="a/"), queue(["s3:ObjectCreated:*"], suffix=".png", prefix="c/")])
assert len(configuration()["QueueConfigurations"]) == 4

assert error_of(put, QueueConfigurations=[queue(["s3:ObjectCreated:Nope"])]) == (400, invalid)
bad_filter = queue(["s3:ObjectCreated:*"])
bad_filter["Filter"] = {"Key": {"FilterRules": [{"Name": "middle", "Value": "x"}]}}
assert error_of(put, QueueConfigurations=[bad_filter]) == (400, invalid)
two_prefixes = queue(["s3:ObjectCreated:*"])
two_prefixes["Filter"] = {"Key": {"FilterRules": [{"Name": "prefix", "Value": "a"}, {"Name": "prefix", "Value": "b"}]}}
assert error_of(put, QueueConfigurations=[two_prefixes]) == (400, invalid)
assert error_of(put, QueueConfigurations=[queue(["s3:ObjectCreated:*"], prefix="p" * 1025)]) == (400, invalid)
assert error_of(put, QueueConfigurations=[queue(["s3:ObjectCreated:*"], id="same"), queue(["s3:ObjectRemoved:*"], id="same")]) == (400, invalid)
# A refused configuration changed nothing.
assert len(configuration()["QueueConfigurations"]) == 4

# An empty configuration turns notifications off.
put()
assert configuration() == {}, configuration()

assert error_of(s3.get_bucket_notification_configuration, Bucket=bucket + "-missing") == (404, "NoSuchBucket")
assert error_of(s3.put_bucket_notification_configuration, Bucket=bucket + "-missing", NotificationConfiguration={}) == (404, "NoSuchBucket")
print("OK")
