"""Encryption at rest as boto3 meets it: SSE-S3, SSE-C and bucket default encryption, for
single PUTs, ranges, multipart uploads, copies and listings, with S3's refusals.

Usage: python3 sse_roundtrip.py ENDPOINT BUCKET MARKER. Every object written holds MARKER many
times, so the caller can look for it where the store keeps its bytes. Exits 0 when every check
holds; otherwise prints the failed check and exits 1.
"""
import base64
import hashlib
import os
import sys

from botocore.exceptions import ClientError

from proxy_client import s3_client

endpoint, bucket, marker = sys.argv[1], sys.argv[2], sys.argv[3].encode()
s3 = s3_client(endpoint)
MiB = 1024 * 1024


def body(size, seed):
    """MARKER again and again, each copy numbered, cut to size."""
    pieces, n, length = [], 0, 0
    while length < size:
        pieces.append(marker + b"-%d-%d;" % (seed, n))
        length += len(pieces[-1])
        n += 1
    return b"".join(pieces)[:size]


def refused(status, code, call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except ClientError as e:
        got = (e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"].get("Code"))
        assert got[0] == status and (code is None or got[1] == code), f"expected {status} {code}, got {got}"
        return
    raise AssertionError(f"expected {status} {code}, the call succeeded")


customer_key = os.urandom(32)
other_key = os.urandom(32)
SSEC = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": customer_key}
OTHER = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": other_key}

# SSE-S3: a small object and one of several packages; HEAD and GET tell AES256 and the plaintext's size.
small, big = body(1000, 1), body(300 * 1024 + 17, 2)
put = s3.put_object(Bucket=bucket, Key="sse-s3/small", Body=small, ServerSideEncryption="AES256")
assert put["ServerSideEncryption"] == "AES256", put
s3.put_object(Bucket=bucket, Key="sse-s3/big", Body=big, ServerSideEncryption="AES256")
head = s3.head_object(Bucket=bucket, Key="sse-s3/big")
assert head["ServerSideEncryption"] == "AES256" and head["ContentLength"] == len(big), head
got = s3.get_object(Bucket=bucket, Key="sse-s3/big")
assert got["ServerSideEncryption"] == "AES256" and got["Body"].read() == big
assert s3.get_object(Bucket=bucket, Key="sse-s3/small")["Body"].read() == small
# Ranges inside one package, across packages, a suffix, to the end; one past the end is 416.
for first, last in [(0, 0), (10, 99), (65530, 65545), (65536, 131071), (100000, 250000), (len(big) - 5, len(big) - 1)]:
    r = s3.get_object(Bucket=bucket, Key="sse-s3/big", Range=f"bytes={first}-{last}")
    assert r["Body"].read() == big[first:last + 1] and r["ContentRange"] == f"bytes {first}-{last}/{len(big)}", (first, last)
assert s3.get_object(Bucket=bucket, Key="sse-s3/big", Range="bytes=-70000")["Body"].read() == big[-70000:]
assert s3.get_object(Bucket=bucket, Key="sse-s3/big", Range="bytes=200000-")["Body"].read() == big[200000:]
refused(416, "InvalidRange", s3.get_object, Bucket=bucket, Key="sse-s3/big", Range=f"bytes={len(big)}-")
# An empty object.
s3.put_object(Bucket=bucket, Key="sse-s3/empty", Body=b"", ServerSideEncryption="AES256")
assert s3.get_object(Bucket=bucket, Key="sse-s3/empty")["Body"].read() == b""
# A Content-MD5 that does not match the plaintext stores nothing.
refused(400, "BadDigest", s3.put_object, Bucket=bucket, Key="sse-s3/bad-md5", Body=small, ServerSideEncryption="AES256",
        ContentMD5=base64.b64encode(hashlib.md5(b"other").digest()).decode())
refused(404, None, s3.head_object, Bucket=bucket, Key="sse-s3/bad-md5")
# SSE-KMS: the master key is the one KMS key; a key id that is not its name names no key.
refused(400, "KMS.NotFoundException", s3.put_object, Bucket=bucket, Key="kms", Body=small, ServerSideEncryption="aws:kms", SSEKMSKeyId="k")

# SSE-C: the key is needed to read, a wrong one is refused, never served.
put = s3.put_object(Bucket=bucket, Key="sse-c/object", Body=big, **SSEC)
assert put["SSECustomerAlgorithm"] == "AES256" and put["SSECustomerKeyMD5"] == base64.b64encode(hashlib.md5(customer_key).digest()).decode(), put
got = s3.get_object(Bucket=bucket, Key="sse-c/object", **SSEC)
assert got["Body"].read() == big and got["SSECustomerKeyMD5"] == put["SSECustomerKeyMD5"]
assert s3.get_object(Bucket=bucket, Key="sse-c/object", Range="bytes=70000-140000", **SSEC)["Body"].read() == big[70000:140001]
head = s3.head_object(Bucket=bucket, Key="sse-c/object", **SSEC)
assert head["ContentLength"] == len(big) and head["SSECustomerAlgorithm"] == "AES256", head
refused(400, "InvalidRequest", s3.get_object, Bucket=bucket, Key="sse-c/object")
refused(400, None, s3.head_object, Bucket=bucket, Key="sse-c/object")
refused(403, "AccessDenied", s3.get_object, Bucket=bucket, Key="sse-c/object", **OTHER)
refused(403, None, s3.head_object, Bucket=bucket, Key="sse-c/object", **OTHER)
refused(400, "InvalidRequest", s3.get_object, Bucket=bucket, Key="sse-s3/small", **SSEC)

# A copy: SSE-C source (its key as the copy source's) to an SSE-S3 target, and back to SSE-C.
s3.copy_object(Bucket=bucket, Key="copy/managed", CopySource={"Bucket": bucket, "Key": "sse-c/object"},
               CopySourceSSECustomerAlgorithm="AES256", CopySourceSSECustomerKey=customer_key, ServerSideEncryption="AES256")
assert s3.get_object(Bucket=bucket, Key="copy/managed")["Body"].read() == big
refused(400, "InvalidRequest", s3.copy_object, Bucket=bucket, Key="copy/nokey", CopySource={"Bucket": bucket, "Key": "sse-c/object"})
s3.copy_object(Bucket=bucket, Key="copy/customer", CopySource={"Bucket": bucket, "Key": "copy/managed"}, **OTHER)
assert s3.get_object(Bucket=bucket, Key="copy/customer", **OTHER)["Body"].read() == big
s3.copy_object(Bucket=bucket, Key="copy/clear", CopySource={"Bucket": bucket, "Key": "copy/managed"})
assert "ServerSideEncryption" not in s3.head_object(Bucket=bucket, Key="copy/clear")
s3.delete_object(Bucket=bucket, Key="copy/clear")  # what the caller looks for must be only in encrypted objects

# Multipart, SSE-S3 and SSE-C: each part sealed on its own; whole, ranged across the parts' seam, listed.
parts = [body(5 * MiB, 3), body(MiB + 3, 4)]
whole = b"".join(parts)
for key, enc, part_enc in [("mp/managed", {"ServerSideEncryption": "AES256"}, {}), ("mp/customer", SSEC, SSEC)]:
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key, **enc)["UploadId"]
    done = []
    for n, data in enumerate(parts, 1):
        etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=n, Body=data, **part_enc)["ETag"]
        done.append({"PartNumber": n, "ETag": etag})
    listed = s3.list_parts(Bucket=bucket, Key=key, UploadId=upload)["Parts"]
    assert [p["Size"] for p in listed] == [len(p) for p in parts], listed
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload, MultipartUpload={"Parts": done})
    assert s3.head_object(Bucket=bucket, Key=key, **part_enc)["ContentLength"] == len(whole)
    assert s3.get_object(Bucket=bucket, Key=key, **part_enc)["Body"].read() == whole
    seam = len(parts[0])
    r = s3.get_object(Bucket=bucket, Key=key, Range=f"bytes={seam - 70000}-{seam + 70000}", **part_enc)
    assert r["Body"].read() == whole[seam - 70000:seam + 70001], key
refused(400, "InvalidRequest", s3.get_object, Bucket=bucket, Key="mp/customer")

# Listings show the plaintext's size.
sizes = {o["Key"]: o["Size"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
assert sizes["sse-s3/big"] == len(big) and sizes["sse-c/object"] == len(big) and sizes["mp/managed"] == len(whole) and sizes["sse-s3/empty"] == 0, sizes

# Bucket default encryption: none at first; with AES256 a plain PUT is encrypted; deleted, it is not.
refused(404, "ServerSideEncryptionConfigurationNotFoundError", s3.get_bucket_encryption, Bucket=bucket)
s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256", rules
# aws:kms may be the default too, under the one key: a key id that is not its name names no key, and the default stays.
refused(400, "KMS.NotFoundException", s3.put_bucket_encryption, Bucket=bucket,
        ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "k"}}]})
rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
assert rules[0]["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}, rules
put = s3.put_object(Bucket=bucket, Key="default/on", Body=big)
assert put["ServerSideEncryption"] == "AES256", put
assert s3.get_object(Bucket=bucket, Key="default/on")["Body"].read() == big
s3.delete_bucket_encryption(Bucket=bucket)
refused(404, "ServerSideEncryptionConfigurationNotFoundError", s3.get_bucket_encryption, Bucket=bucket)
print("ok")
