"""What users and a bucket policy cost a warm GET: 4 KiB local hits of the embedded store
with no users and no bucket policy (the root signs) against 100 users in a users file and a
20-statement bucket policy (one of the users signs, so its own policy and every statement of the
bucket's are judged on each request). A proxy per setting and round, alternated; each is loaded
until steady (measure.warm_up), then wrk -c16 for 8 s; the proxy's CPU per request from /proc
(utime + stime), which a busy machine disturbs less than req/s. Modelled on warm_settings.py.
The proxy with users also answers the root, alternated with the user (root, user, root, user):
two processes of one build differ by several µs per request between them (where the JIT and
memory landed), so the pairs inside one process are what shows the judging's own cost.

    python3 bench/warm_policies.py [rounds]      (bench/run.sh publishes the proxy first)
"""
import json
import os
import shutil
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import cold  # noqa: E402
import measure  # noqa: E402
from bench import client, presigned_path, write_file  # noqa: E402
from servers import PROXY_KEYS, WORK, start_proxy, stop_all  # noqa: E402

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
COUNT = 200
SECONDS = 8
USERS = 100
SIGNER = ("user-050", "user-050-secret-key")


def users_file(path):
    """100 users: a third readonly, a third readwrite, a third limited to one prefix by a policy document."""
    users = []
    for i in range(USERS):
        policy = ["readonly", "readwrite", {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"arn:aws:s3:::bench/u{i:03d}/*"}]}][i % 3]
        users.append({"accessKey": f"user-{i:03d}", "secretKey": f"user-{i:03d}-secret-key", "policy": policy})
    path.write_text(json.dumps({"users": users}))
    path.chmod(0o600)


def bucket_policy():
    """20 statements as a team's policy grows them: denies on other prefixes, grants to named users,
    a public prefix, conditions on address, transport and prefix. None denies the measured GETs, so
    every statement is judged; the signer's own policy (one prefix of its own) does not allow them,
    the "readers" statement does."""
    s = []
    for i in range(8):
        s.append({"Sid": f"deny{i}", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": f"arn:aws:s3:::bench/locked{i}/*"})
    for i in range(6):
        s.append({"Sid": f"grant{i}", "Effect": "Allow", "Principal": {"AWS": [f"arn:aws:iam::000000000000:user/user-{j:03d}" for j in range(i * 10, i * 10 + 10)]},
                  "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"arn:aws:s3:::bench/team{i}/*"})
    s.append({"Sid": "public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bench/public/*"})
    s.append({"Sid": "office", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::bench/4k/*",
              "Condition": {"NotIpAddress": {"aws:SourceIp": ["127.0.0.0/8", "10.0.0.0/8"]}}})
    s.append({"Sid": "tls", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::bench/secure/*",
              "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
    s.append({"Sid": "list", "Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::bench",
              "Condition": {"StringLike": {"s3:prefix": ["public/*", "4k/*"]}}})
    s.append({"Sid": "readers", "Effect": "Allow", "Principal": {"AWS": [f"user-{j:03d}" for j in range(2, USERS, 3)]},
              "Action": "s3:GetObject*", "Resource": ["arn:aws:s3:::bench/4k/*", "arn:aws:s3:::bench/1m/*"]})
    s.append({"Sid": "nodelete", "Effect": "Deny", "Principal": {"AWS": "user-099"}, "Action": "s3:Delete*", "Resource": "arn:aws:s3:::bench/*"})
    assert len(s) == 20
    return json.dumps({"Version": "2012-10-17", "Statement": s})


def main():
    data = WORK / "warm-policies"
    shutil.rmtree(data, ignore_errors=True)
    for i in range(COUNT):
        write_file(data / "store" / "bench" / f"4k/obj-{i:04d}", 4096, f"4k{i}")  # an existing folder served as a bucket
    users = data / "users.json"
    users_file(users)
    root_keys = {"S3_OVERLAY_ACCESS_KEY": PROXY_KEYS[0], "S3_OVERLAY_SECRET_KEY": PROXY_KEYS[1]}  # a users file ends the default credentials
    settings = {"none": (root_keys, [("root", PROXY_KEYS)]),
                # The same process answers both signers, alternated: the root passes every policy unjudged, the user
                # has its own policy and all 20 statements judged, so their difference is what judging costs, free
                # of what differs between two processes (their JIT's choices, where their memory landed).
                "100 users + 20-statement policy": ({**root_keys, "S3_OVERLAY_USERS_FILE": str(users)},
                                                    [("root", PROXY_KEYS), (SIGNER[0], SIGNER), ("root", PROXY_KEYS), (SIGNER[0], SIGNER)])}
    print("| round | setting | signer | req/s | p50 ms | proxy CPU µs per request |\n|---|---|---|---|---|---|", flush=True)
    try:
        for round_ in range(ROUNDS):
            # ABBA: the order flips each round, so a drift of the machine's load over the run favours neither.
            for setting, (env, signers) in (list(settings.items()) if round_ % 2 == 0 else list(settings.items())[::-1]):
                for signer, r, us in measure_proxy(data / "store", env, signers):
                    print(f"| {round_} | {setting} | {signer} | {r['rps']:.0f} | {r['p50_ms']:.2f} | {us:.0f} |", flush=True)
    finally:
        stop_all()
        shutil.rmtree(data, ignore_errors=True)


def measure_proxy(store, env, signers):
    """A fresh proxy with `env`, its bucket policy set (users) or removed (none), loaded with GETs each signer signs, in turn."""
    proxy = start_proxy("warm-policies", store, env)
    root = client(proxy.url, PROXY_KEYS)  # the policy is kept with the bucket: set or removed each time
    if "S3_OVERLAY_USERS_FILE" in env:
        root.put_bucket_policy(Bucket="bench", Policy=bucket_policy())
    else:
        root.delete_bucket_policy(Bucket="bench")
    paths = {}
    for name, keys in signers:
        signer = client(proxy.url, keys)
        paths[name] = [presigned_path(signer, "bench", f"4k/obj-{i:04d}") for i in range(COUNT)]
        for p in paths[name]:  # first touch: the store learns the plain files; a refused GET fails here
            urllib.request.urlopen(proxy.url + p).read()
        if keys == SIGNER:  # the policies are in force: the signer may not read outside what the bucket policy grants it
            try:
                urllib.request.urlopen(proxy.url + presigned_path(signer, "bench", "elsewhere/x")).read()
                raise RuntimeError(f"{SIGNER[0]} read bench/elsewhere/x: the policies are not applied")
            except urllib.error.HTTPError as e:
                if e.code != 403:
                    raise
    measure.warm_up(proxy.url, [p for ps in paths.values() for p in ps])
    measured = []
    for name, _ in signers:
        before = cold.cpu_seconds([proxy.pid])
        r = measure.wrk(proxy.url, paths[name], seconds=SECONDS)
        measured.append((name, r, (cold.cpu_seconds([proxy.pid]) - before) * 1e6 / (r["rps"] * SECONDS)))
    proxy.stop()
    return measured


if __name__ == "__main__":
    main()
