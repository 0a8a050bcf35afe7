"""The boto3 client the test scripts drive the proxy with: SigV4, path-style, us-east-1, and no
retries, so each answer under test is the one the script sees."""
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def s3_client(endpoint, access_key="minioadmin", secret_key="minioadmin"):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        region_name="us-east-1",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )


def error_of(call, **kwargs):
    """The error a call is refused with: (HTTP status, S3 error code); fails when the call succeeds."""
    try:
        call(**kwargs)
    except ClientError as e:
        return e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"].get("Code")
    raise AssertionError("%s succeeded" % call.__name__)
