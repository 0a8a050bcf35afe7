"""Crowds of cold readers: what many clients reading one cold key at once cost the remote, with
early remote reads on (the default), both cores kept busy by other processes, over the embedded
store and over Ceph RGW as the local store. See "Crowds of cold readers" in bench/README.md.

    bench/run.sh --crowd                          this tree's proxy, published in Release first
    python3 bench/crowd.py --builds NAME=DIR ...  published builds side by side (a before/after)
    --readers 48  --keys 10 (whole objects of 1 MiB; a quarter as many chunked ones of 4 MiB in 1 MiB chunks)
    --no-rgw      the embedded store only

Remote GETs and body bytes are counted at an nginx relay in front of the remote (s3rver); early
reads let go are the proxy's own count (/_overlay/metrics), since a GET let go may be cancelled
before it reaches the relay. The promise: one GET per whole object (one per chunk of a chunked
one), 1.00 x its bytes, 0 early reads let go.
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request

import servers
from bench import MiB, PROXY_KEYS, client, presigned_path, write_file
from ranges import whole_get
from relay import Relay
from rgw import Rgw
from servers import PROXY, WORK, overlay_env, start_proxy, start_s3rver

BUCKET = "crowd"
RESULTS = pathlib.Path(__file__).resolve().parent / "results"


class BusyCores:
    """One shell busy loop per core, for as long as the block runs: a machine busy with other work."""

    def __enter__(self):
        self.loops = [subprocess.Popen(["/bin/sh", "-c", "while :; do :; done"]) for _ in range(os.cpu_count())]
        return self

    def __exit__(self, *_):
        for loop in self.loops:
            loop.kill()
            loop.wait()


def let_go(proxy):
    """The proxy's early remote reads let go so far (overlay_early_remote_reads_total{overlay_outcome="let_go"})."""
    text = urllib.request.urlopen(proxy.url + "/_overlay/metrics", timeout=10).read().decode()
    found = re.search(r'^overlay_early_remote_reads_total\{[^}]*overlay_outcome="let_go"[^}]*\} (\S+)', text, re.M)
    return float(found.group(1)) if found else 0.0


def crowd(proxy, relay, key, size, expect, readers):
    path = presigned_path(client(proxy.url, PROXY_KEYS), BUCKET, key)
    start = threading.Barrier(readers)
    mark = relay.mark()
    with concurrent.futures.ThreadPoolExecutor(readers) as pool:
        got = list(pool.map(lambda _: whole_get(proxy.url, path, start), range(readers)))
    relay.settle()
    gets = [r for r in relay.since(mark) if r["method"] == "GET" and r["uri"].endswith("/" + key)]
    return {"gets": len(gets), "bytes_over_object": sum(r["sent"] for r in gets) / size,
            "bodies_correct": sum(g["status"] == 200 and g["md5"] == expect for g in got)}


def measure(build_name, build, store, rgw, s3rver_url, objects, readers):
    relay = Relay(f"crowd-relay-{build_name}-{store}", s3rver_url)
    data = WORK / f"data-crowd-{build_name}-{store}"
    shutil.rmtree(data, ignore_errors=True)
    env = {**overlay_env(relay.url), "S3_OVERLAY_METRICS": "true", "S3_OVERLAY_METRICS_PUBLIC": "true",
           "S3_OVERLAY_CHUNK_SIZE": str(MiB), "S3_OVERLAY_CHUNK_THRESHOLD": str(2 * MiB)}
    if store == "rgw":
        env.update({"S3_OVERLAY_LOCAL_ENDPOINT": rgw.url, "S3_OVERLAY_LOCAL_ACCESS_KEY": rgw.main[0], "S3_OVERLAY_LOCAL_SECRET_KEY": rgw.main[1],
                    "S3_OVERLAY_CACHE_BUCKET": f"crowd-cache-{build_name}".lower()})
    proxy = start_proxy(f"crowd-{build_name}-{store}", data, env, build=build)
    rows = []
    try:
        # A first fill makes the local bucket and ends the proxy's listing of its local keys: from then on a cold key is read early.
        whole_get(proxy.url, presigned_path(client(proxy.url, PROXY_KEYS), BUCKET, "warm-up"), threading.Barrier(1))
        time.sleep(1)
        before = let_go(proxy)
        with BusyCores():
            for key, (size, expect) in objects.items():
                rows.append({"key": key, "size": size, **crowd(proxy, relay, key, size, expect, readers)})
        after = let_go(proxy)
    finally:
        proxy.stop()
        relay.stop()
        shutil.rmtree(data, ignore_errors=True)
    return {"rows": rows, "early_reads_let_go": after - before}


def summary(result, kind):
    rows = [r for r in result["rows"] if r["key"].startswith(kind)]
    if not rows:
        return None
    return {"objects": len(rows), "gets": [r["gets"] for r in rows], "most_bytes_over_object": max(r["bytes_over_object"] for r in rows),
            "objects_over_one_request": sum(r["gets"] > (1 if kind == "whole" else -(-r["size"] // MiB)) for r in rows),
            "bodies_correct": sum(r["bodies_correct"] for r in rows)}


def report(results):
    lines = [f"Crowds of {results['readers']} cold readers, both cores kept busy ({results['started']}; load average "
             f"{results['load_average']:.2f} at the start): remote GETs per object (one per chunk at most for a chunked one), the most "
             "remote bytes over an object's size, early reads let go per cold read.", "",
             "| build | local store | objects | whole: GETs each | chunked (4 MiB, 1 MiB chunks): GETs each | most bytes / object | over one GET (a chunk) | early reads let go / cold read |",
             "|---|---|---|---|---|---|---|---|"]
    for name, stores in results["builds"].items():
        for store, result in stores.items():
            whole, chunked = summary(result, "whole"), summary(result, "chunked")
            cold = len(result["rows"])
            over = whole["objects_over_one_request"] + (chunked["objects_over_one_request"] if chunked else 0)
            most = max(whole["most_bytes_over_object"], chunked["most_bytes_over_object"] if chunked else 0)
            lines.append(f"| {name} | {store} | {cold} | {', '.join(map(str, whole['gets']))} | "
                         f"{', '.join(map(str, chunked['gets'])) if chunked else ''} | {most:.3f} × | {over} of {cold} | "
                         f"{result['early_reads_let_go'] / (cold * results['readers']):.3f} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--builds", nargs="*", default=[f"proxy={PROXY}"], help="NAME=PUBLISH_DIR of each build to measure")
    parser.add_argument("--readers", type=int, default=48)
    parser.add_argument("--keys", type=int, default=10)
    parser.add_argument("--no-rgw", action="store_true")
    parser.add_argument("--out", default="crowd")
    args = parser.parse_args()
    builds = [(b.split("=", 1)[0], pathlib.Path(b.split("=", 1)[1])) for b in args.builds]
    WORK.mkdir(parents=True, exist_ok=True)
    results = {"started": time.strftime("%Y-%m-%d %H:%M"), "load_average": float(open("/proc/loadavg").read().split()[0]),
               "readers": args.readers, "builds": {}}
    s3rver_data = WORK / "data-crowd-s3rver"
    shutil.rmtree(s3rver_data, ignore_errors=True)
    rgw = None
    try:
        s3rver = start_s3rver(s3rver_data)
        remote = client(s3rver.url, servers.S3RVER_KEYS)
        remote.create_bucket(Bucket=BUCKET)
        remote.put_object(Bucket=BUCKET, Key="warm-up", Body=b"warm")
        rgw = None if args.no_rgw else Rgw()
        sources = WORK / "data-crowd-sources"
        stores = ["embedded"] + ([] if args.no_rgw else ["rgw"])
        for name, build in builds:
            for store in stores:
                # Fresh keys for every proxy: each crowd is cold.
                objects = {}
                for i in range(args.keys + max(1, args.keys // 4)):
                    kind, size = ("whole", MiB) if i < args.keys else ("chunked", 4 * MiB)
                    key = f"{kind}-{name}-{store}-{i}.bin"
                    write_file(sources / key, size, key)
                    remote.put_object(Bucket=BUCKET, Key=key, Body=(sources / key).read_bytes())
                    objects[key] = (size, hashlib.md5((sources / key).read_bytes()).hexdigest())
                result = measure(name, build, store, rgw, s3rver.url, objects, args.readers)
                results["builds"].setdefault(name, {})[store] = result
                print(f"{name} {store}: " + json.dumps({k: summary(result, k) for k in ("whole", "chunked")}) +
                      f", early reads let go {result['early_reads_let_go']:.0f}", flush=True)
    finally:
        if rgw is not None:
            rgw.stop()
        servers.stop_all()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps(results, indent=1))
    table = report(results)
    (RESULTS / f"{args.out}.md").write_text(table)
    print(table)


if __name__ == "__main__":
    sys.exit(main())
