"""S3's answers as boto3 meets them, case by case (the shapes of s3-tests' test_s3.py).

Usage: python3 boto3_conformance.py ENDPOINT CASE [CASE ...]. Prints one JSON line per case:
{"case": NAME, "ok": true} or {"case": NAME, "ok": false, "error": "<traceback>"}; exits 0 either way.
Each case makes buckets of its own.
"""
import base64
import datetime
import hashlib
import hmac
import json
import sys
import traceback
import uuid
from collections import OrderedDict

import boto3
import requests
from botocore import UNSIGNED
from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
KEY, SECRET = "minioadmin", "minioadmin"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"


def client(signed=True):
    return boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id=KEY if signed else "", aws_secret_access_key=SECRET if signed else "",
        config=Config(signature_version="s3v4" if signed else UNSIGNED, s3={"addressing_style": "path"}, retries={"max_attempts": 1}))


s3 = client()
anonymous = client(signed=False)
CASES = {}


def case(function):
    CASES[function.__name__] = function
    return function


def new_bucket(**kwargs):
    name = "c" + uuid.uuid4().hex[:20]
    s3.create_bucket(Bucket=name, **kwargs)
    return name


def error(call, *args, **kwargs):
    """The (status, code, message) of the ClientError the call must raise."""
    try:
        call(*args, **kwargs)
    except ClientError as e:
        return e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"].get("Code"), e.response["Error"].get("Message")
    raise AssertionError(f"{call.__name__} succeeded")


def xml_error(response):
    """(status, code, message) of a raw answer's S3 error document."""
    import xml.etree.ElementTree as ET
    root = ET.fromstring(response.content)
    return response.status_code, root.findtext("Code"), root.findtext("Message")


# --- ACLs -------------------------------------------------------------------------------------

def owner():
    return s3.list_buckets()["Owner"]


def grant(permission, uri=None):
    """A grant as s3-tests writes what it wants: a group's by URI, else the owner's."""
    me = owner()
    if uri:
        return dict(Permission=permission, ID=None, DisplayName=None, URI=uri, EmailAddress=None, Type="Group")
    return dict(Permission=permission, ID=me["ID"], DisplayName=me["DisplayName"], URI=None, EmailAddress=None, Type="CanonicalUser")


CANNED = {
    "private": lambda: [grant("FULL_CONTROL")],
    "public-read": lambda: [grant("READ", ALL_USERS), grant("FULL_CONTROL")],
    "public-read-write": lambda: [grant("READ", ALL_USERS), grant("WRITE", ALL_USERS), grant("FULL_CONTROL")],
    "authenticated-read": lambda: [grant("READ", AUTHENTICATED_USERS), grant("FULL_CONTROL")],
}


def check_grants(got, want):
    """s3-tests' check_grants, as it is: it sorts by DisplayName when the first grant has one."""
    assert len(got) == len(want), (got, want)
    if got[0]["Grantee"].get("DisplayName"):
        got.sort(key=lambda x: x["Grantee"].get("DisplayName"))
        want.sort(key=lambda x: x["DisplayName"])
    for g, w in zip(got, want):
        g = dict(g)
        g["Grantee"] = dict(g["Grantee"])
        assert g.pop("Permission", None) == w["Permission"], (g, w)
        for field in ("DisplayName", "ID", "Type", "URI", "EmailAddress"):
            assert g["Grantee"].pop(field, None) == w[field], (field, g, w)
        assert g == {"Grantee": {}}, g


@case
def bucket_acl_canned():
    for canned, want in CANNED.items():
        created = new_bucket(ACL=canned)
        check_grants(s3.get_bucket_acl(Bucket=created)["Grants"], want())
        later = new_bucket()
        s3.put_bucket_acl(Bucket=later, ACL=canned)
        check_grants(s3.get_bucket_acl(Bucket=later)["Grants"], want())


@case
def object_acl_canned_on_create():
    bucket = new_bucket()
    s3.put_object(Bucket=bucket, Key="source", Body=b"x")
    for canned, want in CANNED.items():
        s3.put_object(Bucket=bucket, Key="put-" + canned, Body=b"x", ACL=canned)
        check_grants(s3.get_object_acl(Bucket=bucket, Key="put-" + canned)["Grants"], want())
        s3.copy_object(Bucket=bucket, Key="copy-" + canned, CopySource={"Bucket": bucket, "Key": "source"}, ACL=canned)
        check_grants(s3.get_object_acl(Bucket=bucket, Key="copy-" + canned)["Grants"], want())
        upload = s3.create_multipart_upload(Bucket=bucket, Key="mp-" + canned, ACL=canned)["UploadId"]
        etag = s3.upload_part(Bucket=bucket, Key="mp-" + canned, UploadId=upload, PartNumber=1, Body=b"part")["ETag"]
        s3.complete_multipart_upload(Bucket=bucket, Key="mp-" + canned, UploadId=upload,
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
        check_grants(s3.get_object_acl(Bucket=bucket, Key="mp-" + canned)["Grants"], want())


@case
def object_acl_canned_set_later():
    bucket = new_bucket()
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    for canned, want in CANNED.items():
        s3.put_object_acl(Bucket=bucket, Key="k", ACL=canned)
        check_grants(s3.get_object_acl(Bucket=bucket, Key="k")["Grants"], want())
    s3.put_object_acl(Bucket=bucket, Key="k", AccessControlPolicy={"Owner": owner(), "Grants": []})
    assert s3.get_object_acl(Bucket=bucket, Key="k")["Grants"] == []


@case
def bucket_acl_revoke_all():
    bucket = new_bucket()
    s3.put_object(Bucket=bucket, Key="foo", Body=b"bar")
    policy = s3.get_bucket_acl(Bucket=bucket)
    old_grants = policy["Grants"]
    s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy={"Owner": policy["Owner"], "Grants": []})
    assert len(s3.get_bucket_acl(Bucket=bucket)["Grants"]) == 0
    s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy={"Owner": policy["Owner"], "Grants": old_grants})
    check_grants(s3.get_bucket_acl(Bucket=bucket)["Grants"], CANNED["private"]())


@case
def bucket_recreate():
    bucket = new_bucket()
    s3.put_object(Bucket=bucket, Key="kept", Body=b"x")
    assert s3.create_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert [o["Key"] for o in s3.list_objects(Bucket=bucket)["Contents"]] == ["kept"]
    assert error(s3.create_bucket, Bucket=bucket, ACL="public-read")[:2] == (409, "BucketAlreadyExists")
    check_grants(s3.get_bucket_acl(Bucket=bucket)["Grants"], CANNED["private"]())

    public = new_bucket(ACL="public-read")
    assert error(s3.create_bucket, Bucket=public)[:2] == (409, "BucketAlreadyExists")
    assert s3.create_bucket(Bucket=public, ACL="public-read")["ResponseMetadata"]["HTTPStatusCode"] == 200
    check_grants(s3.get_bucket_acl(Bucket=public)["Grants"], CANNED["public-read"]())


# --- errors with S3's codes -------------------------------------------------------------------

@case
def anonymous_reads_of_what_is_missing():
    public = new_bucket(ACL="public-read")
    s3.put_object(Bucket=public, Key="gone", Body=b"x", ACL="public-read")
    assert anonymous.get_object(Bucket=public, Key="gone")["Body"].read() == b"x"
    s3.delete_object(Bucket=public, Key="gone")
    assert error(anonymous.get_object, Bucket=public, Key="gone")[:2] == (404, "NoSuchKey")
    assert error(anonymous.head_object, Bucket=public, Key="gone")[0] == 404
    assert error(anonymous.get_object, Bucket="c" + uuid.uuid4().hex[:20], Key="gone")[:2] == (404, "NoSuchBucket")
    private = new_bucket()
    s3.put_object(Bucket=private, Key="mine", Body=b"x")
    assert error(anonymous.get_object, Bucket=private, Key="gone")[:2] == (403, "AccessDenied")
    assert error(anonymous.get_object, Bucket=private, Key="mine")[:2] == (403, "AccessDenied")


def presign(method, url, expires):
    """botocore's own SigV4 query signer: unlike generate_presigned_url it takes any expiry."""
    request = AWSRequest(method=method, url=url)
    S3SigV4QueryAuth(Credentials(KEY, SECRET), "s3", "us-east-1", expires=expires).add_auth(request)
    return request.url


@case
def presigned_expiry():
    bucket = new_bucket()
    s3.put_object(Bucket=bucket, Key="foo", Body=b"bar")
    url = f"{endpoint}/{bucket}/foo"
    assert requests.get(presign("GET", url, 100)).content == b"bar"
    for expires, message in [(609901, "X-Amz-Expires must be less than a week"), (-7, "X-Amz-Expires must be non-negative"),
                             (0, "Request has expired")]:
        status, code, said = xml_error(requests.get(presign("GET", url, expires)))
        assert (status, code) == (403, "AccessDenied") and said.startswith(message), (expires, status, code, said)
    status, code, said = xml_error(requests.put(presign("PUT", url, -1000), data=b"foo"))
    assert (status, code) == (403, "AccessDenied"), (status, code, said)
    assert s3.get_object(Bucket=bucket, Key="foo")["Body"].read() == b"bar"


@case
def cors_preflight_of_a_presigned_url():
    bucket = new_bucket(ACL="public-read")
    s3.put_object(Bucket=bucket, Key="foo", Body=b"bar", ACL="public-read")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "foo"}, ExpiresIn=100000)
    assert xml_error(requests.options(url)) == (400, "BadRequest", "Insufficient information. Origin request header needed.")
    assert xml_error(requests.options(url, headers={"Origin": "example"})) == (400, "BadRequest", "Invalid Access-Control-Request-Method: null")
    preflight = {"Origin": "example", "Access-Control-Request-Method": "GET"}
    assert xml_error(requests.options(url, headers=preflight)) == (403, "AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.")
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["example"]}]})
    answer = requests.options(url, headers=preflight)
    assert answer.status_code == 200, answer.text
    assert answer.headers.get("access-control-allow-origin") == "example" and answer.headers.get("access-control-allow-methods") == "GET"
    status, code, said = xml_error(requests.options(url, headers={"Origin": "elsewhere", "Access-Control-Request-Method": "GET"}))
    assert (status, code) == (403, "AccessForbidden") and said.startswith("CORSResponse: This CORS request is not allowed."), said
    missing = f"{endpoint}/c{uuid.uuid4().hex[:20]}/foo"
    assert xml_error(requests.options(missing, headers=preflight)) == (403, "AccessForbidden", "CORSResponse: Bucket not found")
    # A real request from an origin no rule allows is served, without CORS headers (the browser refuses it).
    got = requests.get(url, headers={"Origin": "elsewhere"})
    assert got.content == b"bar" and "access-control-allow-origin" not in got.headers


@case
def part_number_beyond_the_parts():
    bucket = new_bucket()
    etag = s3.put_object(Bucket=bucket, Key="single", Body=b"body")["ETag"]
    whole = s3.get_object(Bucket=bucket, Key="single", PartNumber=1)
    assert whole["ETag"] == etag and whole["Body"].read() == b"body"
    assert error(s3.get_object, Bucket=bucket, Key="single", PartNumber=2)[:2] == (400, "InvalidPart")
    assert error(s3.head_object, Bucket=bucket, Key="single", PartNumber=2)[0] == 400


@case
def upload_part_copy_outside_its_source():
    bucket = new_bucket()
    s3.put_object(Bucket=bucket, Key="source", Body=b"12345")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="dest")["UploadId"]
    status, code, _ = error(s3.upload_part_copy, Bucket=bucket, Key="dest", UploadId=upload, PartNumber=1,
                            CopySource={"Bucket": bucket, "Key": "source"}, CopySourceRange="bytes=0-21")
    assert status in (400, 416) and code == "InvalidRange", (status, code)
    assert error(s3.upload_part_copy, Bucket=bucket, Key="dest", UploadId=upload, PartNumber=1,
                 CopySource={"Bucket": bucket, "Key": "source"}, CopySourceRange="0-2")[:2] == (400, "InvalidArgument")


@case
def bad_digests_after_an_early_answer():
    # boto3 waits for 100 Continue before a PUT's body: a PUT refused at once sends none, and the
    # next request on that connection must still be read as a request.
    bucket = new_bucket()
    body = b"A" * 1024
    assert error(s3.put_object, Bucket="c" + uuid.uuid4().hex[:20], Key="k", Body=body)[:2] == (404, "NoSuchBucket")
    wrong_sha = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    assert error(s3.put_object, Bucket=bucket, Key="k", Body=body, ChecksumAlgorithm="SHA256", ChecksumSHA256=wrong_sha)[:2] == (400, "BadDigest")
    wrong_md5 = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    assert error(s3.put_object, Bucket=bucket, Key="k", Body=body, ContentMD5=wrong_md5)[:2] == (400, "BadDigest")
    right = base64.b64encode(hashlib.sha256(body).digest()).decode()
    s3.put_object(Bucket=bucket, Key="k", Body=body, ChecksumAlgorithm="SHA256", ChecksumSHA256=right)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == body


@case
def expected_bucket_owner():
    bucket = new_bucket()
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read-write")
    s3.put_object(Bucket=bucket, Key="foo", Body=b"bar")
    me = owner()["ID"]
    assert s3.get_object(Bucket=bucket, Key="foo", ExpectedBucketOwner=me)["Body"].read() == b"bar"
    assert error(s3.get_object, Bucket=bucket, Key="foo", ExpectedBucketOwner=me + "foo")[:2] == (403, "AccessDenied")
    assert error(anonymous.list_objects, Bucket=bucket, ExpectedBucketOwner=me + "foo")[:2] == (403, "AccessDenied")
    assert error(anonymous.put_object, Bucket=bucket, Key="bar", Body=b"coffee", ExpectedBucketOwner=me + "foo")[:2] == (403, "AccessDenied")
    assert [o["Key"] for o in anonymous.list_objects(Bucket=bucket)["Contents"]] == ["foo"]


@case
def object_torrent():
    bucket = new_bucket()
    s3.put_object(Bucket=bucket, Key="Avatar.mpg", Body=b"A" * 1024)
    assert error(s3.get_object_torrent, Bucket=bucket, Key="Avatar.mpg")[:2] == (404, "NoSuchKey")


# --- listings ---------------------------------------------------------------------------------

@case
def listing_url_encoding():
    bucket = new_bucket()
    for key in ["\nline", "tab\tdir/x", "plain"]:
        s3.put_object(Bucket=bucket, Key=key, Body=b"")
    # boto3 asks for encoding-type=url itself and decodes what ListObjectsV2 encodes.
    listed = s3.list_objects_v2(Bucket=bucket, Prefix="\n")
    assert listed["Prefix"] == "\n" and [o["Key"] for o in listed["Contents"]] == ["\nline"], listed
    listed = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [o["Key"] for o in listed["Contents"]] == ["\nline", "plain"], listed
    assert listed["CommonPrefixes"] == [{"Prefix": "tab\tdir/"}], listed
    # Asked for by the caller, nothing is decoded: the answer as S3 encodes it.
    raw = s3.list_objects(Bucket=bucket, Prefix="\n", EncodingType="url")
    assert raw["Prefix"] == "%0A" and [o["Key"] for o in raw["Contents"]] == ["%0Aline"], raw


@case
def empty_continuation_token():
    bucket = new_bucket()
    for key in ["bar", "baz", "foo", "quxx"]:
        s3.put_object(Bucket=bucket, Key=key, Body=b"")
    listed = s3.list_objects_v2(Bucket=bucket, ContinuationToken="")
    assert listed["ContinuationToken"] == "" and listed["IsTruncated"] is False, listed
    assert [o["Key"] for o in listed["Contents"]] == ["bar", "baz", "foo", "quxx"]


# --- GetObjectAttributes ----------------------------------------------------------------------

@case
def object_attributes_of_multipart_uploads():
    bucket = new_bucket()
    for sizes, algorithm in (([5 * 1024 * 1024, 5 * 1024 * 1024, 1024], "SHA256"), ([1024], "SHA256"), ([1024], None)):
        key = f"mp{len(sizes)}{algorithm}"
        with_checksum = {"ChecksumAlgorithm": algorithm} if algorithm else {}
        upload = s3.create_multipart_upload(Bucket=bucket, Key=key, **with_checksum)["UploadId"]
        parts = []
        for number, size in enumerate(sizes, 1):
            sent = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=number, Body=bytes([number]) * size, **with_checksum)
            parts.append({"PartNumber": number, "ETag": sent["ETag"], **({"ChecksumSHA256": sent["ChecksumSHA256"]} if algorithm else {})})
        s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload, MultipartUpload={"Parts": parts})
        got = s3.get_object_attributes(Bucket=bucket, Key=key, ObjectAttributes=["ObjectParts", "ObjectSize"])
        assert got["ObjectSize"] == sum(sizes)
        listed = got["ObjectParts"]
        assert listed["TotalPartsCount"] == len(sizes) and listed["MaxParts"] == 1000 and listed["IsTruncated"] is False, listed
        assert [(p["PartNumber"], p["Size"], p.get("ChecksumSHA256")) for p in listed["Parts"]] == \
               [(p["PartNumber"], size, p.get("ChecksumSHA256")) for p, size in zip(parts, sizes)], listed
        for marker in range(len(sizes)):
            page = s3.get_object_attributes(Bucket=bucket, Key=key, ObjectAttributes=["ObjectParts"], MaxParts=1, PartNumberMarker=marker)["ObjectParts"]
            assert [p["PartNumber"] for p in page["Parts"]] == [marker + 1], page
            assert page["IsTruncated"] is (marker + 1 < len(sizes)) and page["NextPartNumberMarker"] == marker + 1, page


# --- POST uploads -----------------------------------------------------------------------------

def post(bucket, policy, fields):
    """A form signed the way s3-tests signs it (SigV2 policy), posted with requests."""
    encoded = base64.b64encode(json.dumps(policy).encode())
    signature = base64.b64encode(hmac.new(SECRET.encode(), encoded, hashlib.sha1).digest())
    form = OrderedDict([("AWSAccessKeyId", KEY), ("signature", signature), ("policy", encoded)] + fields)
    return requests.post(f"{endpoint}/{bucket}", files=form)


def expiration(seconds=6000):
    return (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def conditions(bucket, key_prefix):
    return [{"bucket": bucket}, ["starts-with", "$key", key_prefix], {"acl": "private"},
            ["starts-with", "$Content-Type", "text/plain"], ["content-length-range", 0, 5 * 1024 * 1024]]


PAYLOAD = b"x" * (2 * 1024 * 1024)
PAYLOAD_SHA256 = base64.b64encode(hashlib.sha256(PAYLOAD).digest()).decode()


@case
def post_object_forms():
    bucket = new_bucket(ACL="public-read-write")
    answer = requests.post(f"{endpoint}/{bucket}", files=OrderedDict([("key", "foo.txt"), ("acl", "public-read"),
                           ("success_action_status", "404"), ("Content-Type", "text/plain"), ("file", "bar")]))
    assert answer.status_code == 204 and answer.content == b"", (answer.status_code, answer.text)

    answer = post(bucket, {"expiration": expiration(), "conditions": conditions(bucket, "foo")},
                  [("key", "${filename}"), ("acl", "private"), ("Content-Type", "text/plain"), ("file", ("foo-named.txt", "bar"))])
    assert answer.status_code == 204, answer.text
    assert s3.get_object(Bucket=bucket, Key="foo-named.txt")["Body"].read() == b"bar"

    not_iso = str(datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=6000))
    answer = post(bucket, {"expiration": not_iso, "conditions": conditions(bucket, "foo")},
                  [("key", "foo.txt"), ("acl", "private"), ("Content-Type", "text/plain"), ("file", "bar")])
    assert xml_error(answer)[:2] == (400, "InvalidPolicyDocument"), answer.text

    answer = post(bucket, {"expiration": expiration(), "conditions": [{}]},
                  [("key", "foo.txt"), ("acl", "private"), ("Content-Type", "text/plain"), ("file", "bar")])
    assert xml_error(answer)[:2] == (400, "InvalidPolicyDocument"), answer.text

    fields = [("key", "cksum.txt"), ("acl", "private"), ("Content-Type", "text/plain")]
    answer = post(bucket, {"expiration": expiration(), "conditions": conditions(bucket, "cksum")},
                  fields + [("x-amz-checksum-sha256", PAYLOAD_SHA256), ("file", PAYLOAD)])
    assert answer.status_code == 204, answer.text
    assert s3.head_object(Bucket=bucket, Key="cksum.txt")["ContentLength"] == len(PAYLOAD)
    answer = post(bucket, {"expiration": expiration(), "conditions": conditions(bucket, "cksum")},
                  fields + [("x-amz-checksum-sha256", "sailorjerry"), ("file", PAYLOAD)])
    assert answer.status_code == 400, answer.text
    wrong = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    answer = post(bucket, {"expiration": expiration(), "conditions": conditions(bucket, "cksum")},
                  [("key", "cksum-wrong.txt")] + fields[1:] + [("x-amz-checksum-sha256", wrong), ("file", PAYLOAD)])
    assert xml_error(answer)[:2] == (400, "BadDigest"), answer.text
    assert error(s3.head_object, Bucket=bucket, Key="cksum-wrong.txt")[0] == 404


@case
def post_object_checksum_is_kept():
    bucket = new_bucket()
    answer = post(bucket, {"expiration": expiration(), "conditions": conditions(bucket, "cksum")},
                  [("key", "cksum.txt"), ("acl", "private"), ("Content-Type", "text/plain"), ("x-amz-checksum-sha256", PAYLOAD_SHA256), ("file", PAYLOAD)])
    assert answer.status_code == 204 and answer.headers.get("x-amz-checksum-sha256") == PAYLOAD_SHA256, (answer.status_code, answer.headers)
    assert s3.head_object(Bucket=bucket, Key="cksum.txt", ChecksumMode="ENABLED")["ChecksumSHA256"] == PAYLOAD_SHA256


for name in sys.argv[2:]:
    try:
        CASES[name]()
        print(json.dumps({"case": name, "ok": True}), flush=True)
    except Exception:
        print(json.dumps({"case": name, "ok": False, "error": traceback.format_exc()}), flush=True)
