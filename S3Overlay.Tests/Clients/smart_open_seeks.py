"""smart_open (Debian's python3-smart-open) seeking through an object as range readers do: each
seek closes the open body and opens `Range: bytes=X-` anew, then 64 KiB are read from it.

Usage: python3 smart_open_seeks.py ENDPOINT ACCESS_KEY SECRET_KEY BUCKET KEY SEED OFFSET...
Every byte read is compared with the tests' pattern (PatternData.cs). Prints OK at the end.
"""
import struct
import sys

import boto3
from botocore.config import Config
from smart_open import open as smart_open

endpoint, access, secret, bucket, key, seed = sys.argv[1:7]
offsets = [int(o) for o in sys.argv[7:]]
MASK = (1 << 64) - 1
salt = (int(seed) * 0xC2B2AE3D27D4EB4F) & MASK


def pattern(offset, length):
    """PatternData.Fill: every 8-byte word depends on its offset and the seed."""
    first = offset >> 3
    words = ((offset & 7) + length + 7) // 8
    out = bytearray()
    for i in range(words):
        x = (((first + i) * 0x9E3779B97F4A7C15) & MASK) ^ salt
        out += struct.pack("<Q", x ^ (x >> 29))
    skip = offset & 7
    return bytes(out[skip:skip + length])


client = boto3.client(
    "s3", endpoint_url=endpoint, aws_access_key_id=access, aws_secret_access_key=secret, region_name="us-east-1",
    config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 1}))

with smart_open(f"s3://{bucket}/{key}", "rb", transport_params={"client": client, "defer_seek": True}) as f:
    for offset in offsets:
        f.seek(offset)
        got = f.read(64 * 1024)
        assert got == pattern(offset, len(got)) and len(got) == 64 * 1024, f"bytes at {offset} differ"
print("OK")
