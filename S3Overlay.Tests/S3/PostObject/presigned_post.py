"""boto3's generate_presigned_post against the proxy, posted with requests as a web page's back end would.

Usage: python3 presigned_post.py ENDPOINT BUCKET. Prints OK at the end; a failed assertion exits non-zero.
"""
import sys

import boto3
import requests
from botocore.config import Config

endpoint, bucket = sys.argv[1:3]
s3 = boto3.client(
    "s3",
    endpoint_url=endpoint,
    aws_access_key_id="minioadmin",
    aws_secret_access_key="minioadmin",
    region_name="us-east-1",
    config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
)

post = s3.generate_presigned_post(
    bucket, "from-boto3/${filename}",
    Fields={"Content-Type": "text/csv", "success_action_status": "201"},
    Conditions=[["starts-with", "$Content-Type", "text/"], {"success_action_status": "201"}, ["content-length-range", 1, 1024]],
    ExpiresIn=600,
)
answer = requests.post(post["url"], data=post["fields"], files={"file": ("report.csv", b"a,b\n1,2\n")}, timeout=30)
assert answer.status_code == 201, (answer.status_code, answer.text)
assert "<Key>from-boto3/report.csv</Key>" in answer.text, answer.text

# The same policy with a file over its content-length-range is refused, and nothing is stored.
big = requests.post(post["url"], data=post["fields"], files={"file": ("big.csv", b"x" * 2048)}, timeout=30)
assert big.status_code == 400 and "<Code>EntityTooLarge</Code>" in big.text, (big.status_code, big.text)
print("OK")
