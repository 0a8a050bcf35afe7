"""boto3 against the proxy: put, get, list, multipart upload_file (with a SHA-256 checksum too), presigned GET.

Usage: python3 boto3_roundtrip.py ENDPOINT BUCKET WORKDIR. Prints OK at the end; any failed
assertion or client error exits non-zero with a traceback.
"""
import base64
import hashlib
import os
import sys
import urllib.request

from boto3.s3.transfer import TransferConfig

from proxy_client import s3_client

endpoint, bucket, workdir = sys.argv[1:4]
s3 = s3_client(endpoint)

s3.create_bucket(Bucket=bucket)

body = os.urandom(10_000)
put = s3.put_object(Bucket=bucket, Key="docs/hello world.txt", Body=body, ContentType="text/plain",
                    Metadata={"colour": "blue"})
assert put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest(), put["ETag"]

got = s3.get_object(Bucket=bucket, Key="docs/hello world.txt")
assert got["Body"].read() == body
assert got["ContentType"] == "text/plain", got["ContentType"]
assert got["Metadata"] == {"colour": "blue"}, got["Metadata"]

# 11 MiB with a 5 MiB threshold and part size: three parts.
big = os.path.join(workdir, "big.bin")
with open(big, "wb") as f:
    f.write(os.urandom(11 * 1024 * 1024))
s3.upload_file(big, bucket, "big/multi.bin",
               Config=TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024))
head = s3.head_object(Bucket=bucket, Key="big/multi.bin")
assert head["ETag"].endswith('-3"'), head["ETag"]
assert head["ContentLength"] == 11 * 1024 * 1024
back = os.path.join(workdir, "big.back")
s3.download_file(bucket, "big/multi.bin", back)
with open(big, "rb") as a, open(back, "rb") as b:
    assert hashlib.sha256(a.read()).digest() == hashlib.sha256(b.read()).digest()

# With a checksum: boto3 sends each part's SHA-256, and the object gets the composite checksum
# (the SHA-256 of the parts' binary SHA-256s, then "-" and the number of parts).
s3.upload_file(big, bucket, "big/sha.bin", ExtraArgs={"ChecksumAlgorithm": "SHA256"},
               Config=TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024))
with open(big, "rb") as f:
    data = f.read()
part_sums = b"".join(hashlib.sha256(data[i:i + 5 * 1024 * 1024]).digest() for i in range(0, len(data), 5 * 1024 * 1024))
composite = base64.b64encode(hashlib.sha256(part_sums).digest()).decode() + "-3"
head = s3.head_object(Bucket=bucket, Key="big/sha.bin", ChecksumMode="ENABLED")
assert head.get("ChecksumSHA256") == composite, (head.get("ChecksumSHA256"), composite)

listed = s3.list_objects_v2(Bucket=bucket)
assert [o["Key"] for o in listed["Contents"]] == ["big/multi.bin", "big/sha.bin", "docs/hello world.txt"], listed["Contents"]
assert s3.list_objects_v2(Bucket=bucket, Delimiter="/")["CommonPrefixes"] == [{"Prefix": "big/"}, {"Prefix": "docs/"}]

url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "docs/hello world.txt"}, ExpiresIn=300)
with urllib.request.urlopen(url) as response:
    assert response.read() == body

print("OK")
