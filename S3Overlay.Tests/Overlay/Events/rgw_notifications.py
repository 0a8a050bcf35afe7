"""Makes an RGW bucket push its object changes to a topic's endpoint (HTTP or AMQP), as docs/overlay.md tells an operator to.

Usage: rgw_notifications.py BUCKET TOPIC PUSH_ENDPOINT [name=value ...]
The RGW endpoint and keys come from RGW_ENDPOINT, RGW_ACCESS_KEY and RGW_SECRET_KEY; extra
name=value pairs are topic attributes (amqp-exchange, amqp-ack-level, OpaqueData, persistent).
Prints the topic's ARN.
"""
import os
import sys

import boto3

bucket, topic, push_endpoint, *extra = sys.argv[1:]
session = dict(endpoint_url=os.environ["RGW_ENDPOINT"], region_name="default",
               aws_access_key_id=os.environ["RGW_ACCESS_KEY"], aws_secret_access_key=os.environ["RGW_SECRET_KEY"])
attributes = {"push-endpoint": push_endpoint, "persistent": "false"}
attributes.update(pair.split("=", 1) for pair in extra)
arn = boto3.client("sns", **session).create_topic(Name=topic, Attributes=attributes)["TopicArn"]
boto3.client("s3", **session).put_bucket_notification_configuration(
    Bucket=bucket,
    NotificationConfiguration={"TopicConfigurations": [
        {"Id": topic, "TopicArn": arn, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}]})
print(arn)
