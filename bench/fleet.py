"""A fleet of three replicas over one shared local store: remote GETs per object and what
forwarding a miss to its owner costs. The remote is s3rver behind a logging nginx relay (which
counts what the remote was asked); the shared store is our own server on the embedded store
(standing in for MinIO); the replicas sit behind nginx round-robin, which does not hash.

1. Cold reads through the balancer, 8 clients at once, each object read by 3 of them: remote GETs
   per object (the goal is 1).
2. Cold reads sent to one replica at a time, each object to one replica, one after another: the
   replica's status tells whether it forwarded the miss to the owner or filled it itself, and
   time to first byte and to the last byte compare the two (the same remote, the same sizes).

    bench/run.sh --fleet [objects] [size KiB]      (publishes the proxy, then runs this)
"""
import concurrent.futures
import json
import os
import shutil
import statistics
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from bench import client, presigned_path  # noqa: E402
from relay import Relay  # noqa: E402
from servers import PROXY_KEYS, S3RVER_KEYS, WORK, free_port, start_nginx, start_proxy, start_s3rver, stop_all, wait_http  # noqa: E402

OBJECTS = int(sys.argv[1]) if len(sys.argv) > 1 else 300
SIZE = (int(sys.argv[2]) if len(sys.argv) > 2 else 256) * 1024
BUCKET = "fleet"
REPLICAS = 3
STORE_KEYS = ("store", "storesecret")


def start_replica(index, url, urls, store, remote):
    return start_proxy(f"fleet-replica-{index}", WORK / "fleet" / f"replica-{index}", port=int(url.rsplit(":", 1)[1]), env={
        "S3_OVERLAY_REMOTE_ENDPOINT": remote, "S3_OVERLAY_REMOTE_ACCESS_KEY_ID": S3RVER_KEYS[0],
        "S3_OVERLAY_REMOTE_SECRET_ACCESS_KEY": S3RVER_KEYS[1], "S3_OVERLAY_REMOTE_ADDRESSING_STYLE": "path",
        "S3_OVERLAY_REMOTE_BUCKETS": BUCKET, "S3_OVERLAY_CACHE_ENABLED": "true",
        "S3_OVERLAY_LOCAL_ENDPOINT": store, "S3_OVERLAY_LOCAL_ACCESS_KEY": STORE_KEYS[0], "S3_OVERLAY_LOCAL_SECRET_KEY": STORE_KEYS[1],
        "S3_OVERLAY_ACCESS_KEY": PROXY_KEYS[0], "S3_OVERLAY_SECRET_KEY": PROXY_KEYS[1],
        "S3_OVERLAY_PEERS": ",".join(urls), "S3_OVERLAY_PEER_URL": url})


def fleet_figures(replica):
    request = urllib.request.Request(replica.url + "/_overlay/status", headers={"Accept": "application/json"})
    return json.loads(urllib.request.urlopen(request).read())["fleet"]


def timed_get(url):
    """Time to the first body byte and to the last, in ms, of one GET on a fresh connection."""
    start = time.perf_counter()
    with urllib.request.urlopen(url) as answer:
        answer.read(1)
        first = time.perf_counter()
        answer.read()
    return (first - start) * 1000, (time.perf_counter() - start) * 1000


def main():
    shutil.rmtree(WORK / "fleet", ignore_errors=True)
    (WORK / "fleet").mkdir(parents=True)
    try:
        s3rver = start_s3rver(WORK / "fleet" / "remote")
        relay = Relay("fleet-relay", s3rver.url)
        seed = client(s3rver.url, S3RVER_KEYS)
        seed.create_bucket(Bucket=BUCKET)
        body = os.urandom(SIZE)
        keys = [f"k{i:05d}" for i in range(2 * OBJECTS)]
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda k: seed.put_object(Bucket=BUCKET, Key=k, Body=body), keys))
        store = start_proxy("fleet-store", WORK / "fleet" / "store",
                            {"S3_OVERLAY_ACCESS_KEY": STORE_KEYS[0], "S3_OVERLAY_SECRET_KEY": STORE_KEYS[1]})
        urls = [f"http://127.0.0.1:{free_port()}" for _ in range(REPLICAS)]
        replicas = [start_replica(i, url, urls, store.url, relay.url) for i, url in enumerate(urls)]
        port = free_port()
        upstream = "".join(f"    server {u[len('http://'):]};\n" for u in urls)
        start_nginx("fleet-balancer", f"""
  upstream fleet {{
{upstream}    keepalive 32;
  }}
  server {{ listen 127.0.0.1:{port};
    location / {{ proxy_pass http://fleet; proxy_http_version 1.1; proxy_set_header Connection "";
                 proxy_set_header Host $http_host; proxy_buffering off; proxy_request_buffering off; }} }}
""")
        balancer = f"http://127.0.0.1:{port}"
        wait_http(balancer + "/_overlay/alive")
        # A presigned URL names the host it was signed for: the balancer's, or each replica's.
        signers = {url: client(url, PROXY_KEYS) for url in [balancer, *urls]}

        # 1. Through the balancer: each object read by 3 clients at once, 8 reads in flight.
        spread = keys[:OBJECTS]
        paths = [presigned_path(signers[balancer], BUCKET, k) for k in spread for _ in range(3)]
        mark = relay.mark()
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            sizes = list(pool.map(lambda p: len(urllib.request.urlopen(balancer + p).read()), paths))
        seconds = time.perf_counter() - started
        assert all(s == SIZE for s in sizes), "a read came back short"
        relay.settle()
        gets = [r for r in relay.since(mark) if r["method"] == "GET"]
        per_object = {}
        for r in gets:
            per_object[r["uri"]] = per_object.get(r["uri"], 0) + 1
        print(f"Fleet of {REPLICAS} over one store, {SIZE // 1024} KiB objects (bench/fleet.py {OBJECTS} {SIZE // 1024})\n")
        print("| through nginx round-robin | objects | reads | remote GETs | GETs per object: max | objects/s |")
        print("|---|---|---|---|---|---|")
        print(f"| 3 clients per object, 8 at once | {OBJECTS} | {len(paths)} | {len(gets)} | {max(per_object.values())} | {OBJECTS / seconds:.0f} |\n")

        # 2. One replica at a time: forwarded to the owner, or filled by the replica that owns it.
        times = {"forwarded": [], "filled here": []}
        for i, key in enumerate(keys[OBJECTS:]):
            replica = replicas[i % REPLICAS]
            before = fleet_figures(replica)["forwarded"]
            first, total = timed_get(replica.url + presigned_path(signers[replica.url], BUCKET, key))
            kind = "forwarded" if fleet_figures(replica)["forwarded"] > before else "filled here"
            times[kind].append((first, total))
        print("| cold GET asked of one replica | reads | first byte ms, median · p90 | last byte ms, median · p90 |")
        print("|---|---|---|---|")
        for kind, ts in times.items():
            if not ts:
                continue
            firsts, totals = sorted(t[0] for t in ts), sorted(t[1] for t in ts)
            p90 = lambda xs: xs[int(len(xs) * 0.9)]  # noqa: E731
            print(f"| {kind} | {len(ts)} | {statistics.median(firsts):.1f} · {p90(firsts):.1f} | {statistics.median(totals):.1f} · {p90(totals):.1f} |")
        medians = {k: statistics.median(t[0] for t in ts) for k, ts in times.items() if ts}
        if len(medians) == 2:
            print(f"\nA forwarded miss's first byte: {medians['forwarded'] - medians['filled here']:+.1f} ms against one filled by its owner (medians).")
    finally:
        stop_all()
        shutil.rmtree(WORK / "fleet", ignore_errors=True)


if __name__ == "__main__":
    main()
