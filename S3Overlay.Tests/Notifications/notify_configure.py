"""boto3 configures a bucket's notifications as a MinIO user does: every event type this server
raises goes to one target, named by its MinIO ARN.

Usage: python3 notify_configure.py ENDPOINT BUCKET ARN [EVENT ...]: those event types (families or
names) instead, one configuration each. Prints the configuration read back.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Clients"))
from proxy_client import s3_client  # noqa: E402

endpoint, bucket, arn = sys.argv[1:4]
s3 = s3_client(endpoint)
families = sys.argv[4:] or ["s3:ObjectCreated:*", "s3:ObjectRemoved:*", "s3:ObjectTagging:*", "s3:ObjectAcl:Put", "s3:LifecycleExpiration:*"]
s3.put_bucket_notification_configuration(
    Bucket=bucket,
    NotificationConfiguration={"QueueConfigurations": [{"Id": family.split(":")[1] + ("" if family.endswith("*") else family.split(":")[-1]), "QueueArn": arn, "Events": [family]} for family in families]},
)
got = s3.get_bucket_notification_configuration(Bucket=bucket)
got.pop("ResponseMetadata")
print(json.dumps(got))
