"""The users s3-tests signs as, on each server, and the files that give them out.

    conf.py s3tests rgw|overlay PORT    prints the S3TEST_CONF file for that server on 127.0.0.1:PORT
    conf.py users                       prints the overlay's users file (S3_OVERLAY_USERS_FILE)

RGW's users are the ones build/rgw/rgw-cluster.sh creates. On the overlay all three are users of
the users file without a policy, each with a name and an e-mail address: they may do everything in
the buckets they own, as RGW's users may, and in another's only what its owner grants; unlike the
root key, a bucket policy's Deny applies to them, as it does to an S3 bucket's owner.
"""
import hashlib
import json
import sys


def overlay_user_id(access_key):
    """A users-file user's canonical id on the overlay (S3Owner.IdOf): derived from its access key."""
    return hashlib.sha256(("s3overlay-user:" + access_key).encode()).hexdigest()


USERS = {
    "rgw": {
        "main": dict(user_id="main", display_name="main", access_key="RGWMAINACCESSKEY", secret_key="rgw-main-secret-key"),
        "alt": dict(user_id="second", display_name="second", access_key="RGWSECONDACCESSKEY", secret_key="rgw-second-secret-key"),
        "tenant": dict(user_id="tenant$tenant", display_name="tenant", access_key="RGWTENANTACCESSKEY", secret_key="rgw-tenant-secret-key"),
        "api_name": "default",
    },
    "overlay": {
        "main": dict(user_id=overlay_user_id("S3TESTSMAINKEY"), display_name="main", access_key="S3TESTSMAINKEY", secret_key="s3-tests-main-secret-key"),
        "alt": dict(user_id=overlay_user_id("S3TESTSSECONDKEY"), display_name="second", access_key="S3TESTSSECONDKEY", secret_key="s3-tests-second-secret-key"),
        "tenant": dict(user_id=overlay_user_id("S3TESTSTENANTKEY"), display_name="tenant", access_key="S3TESTSTENANTKEY", secret_key="s3-tests-tenant-secret-key"),
        "api_name": "",
    },
}

EMAILS = {"main": "main@example.com", "alt": "second@example.com", "tenant": "tenant@example.com"}


def s3tests_conf(server, port):
    users = USERS[server]
    # The lifecycle tests' day is lc_debug_interval seconds: RGW's rgw_lc_debug_interval, which run.sh sets.
    extra = {"main": {"api_name": users["api_name"], "lc_debug_interval": 10}, "alt": {}, "tenant": {"tenant": "tenant"}}
    lines = ["[DEFAULT]", "host = 127.0.0.1", f"port = {port}", "is_secure = False", "ssl_verify = False",
             "[fixtures]", "bucket prefix = s3t-{random}-"]
    for role in ("main", "alt", "tenant"):
        fields = dict(users[role], email=EMAILS[role], **extra[role])
        lines += [f"[s3 {role}]"] + [f"{name} = {value}" for name, value in fields.items()]
    # Sections s3-tests insists on, with keys no server here knows: no family uses IAM.
    for section, user_id in (("iam", "iam"), ("iam root", "RGW11111111111111111"), ("iam alt root", "RGW22222222222222222")):
        key = section.replace(" ", "")
        lines += [f"[{section}]", f"access_key = NO{key.upper()}ACCESSKEY", f"secret_key = no-{key}-secret-key",
                  f"user_id = {user_id}", f"email = {key}@example.com", f"display_name = {key}"]
    return "\n".join(lines) + "\n"


def users_file():
    users = USERS["overlay"]
    return json.dumps({"users": [{"accessKey": users[role]["access_key"], "secretKey": users[role]["secret_key"],
                                  "name": users[role]["display_name"], "email": EMAILS[role]}
                                 for role in ("main", "alt", "tenant")]}, indent=1) + "\n"


if __name__ == "__main__":
    if sys.argv[1:2] == ["s3tests"] and len(sys.argv) == 4 and sys.argv[2] in USERS:
        sys.stdout.write(s3tests_conf(sys.argv[2], int(sys.argv[3])))
    elif sys.argv[1:] == ["users"]:
        sys.stdout.write(users_file())
    else:
        sys.exit(__doc__)
