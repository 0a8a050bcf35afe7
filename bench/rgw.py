"""A production S3 server on both sides: the overlay with Ceph's RADOS Gateway (RGW) as its local
store and as its remote, beside the embedded store and RGW itself, in one run.

Latency (boto3 on the same host as the servers, one kept-alive client per target, 256 KiB objects, medians of
ROUNDS, every configuration measured by turns so drift falls on all alike):
  cold GET  the overlay's fill against the remote's own GET of the same object
  warm GET  the overlay's local hit against the local store's own GET
  PUT       the overlay's PUT against the local store's own PUT
and the parts a cold fill is made of: RGW's own GET of a missing key (the local miss), its HEAD of
one (the whiteout look), its PUT. Beside them, the floor of any proxy: one hop that stores and
checks nothing (nginx's unbuffered proxy_pass, and the minimal ASP.NET Core app's
HttpClient-to-Kestrel relay), in front of RGW (its GET and PUT) and of the remote (its GET).

Throughput (wrk, 16 connections, presigned GETs and PUTs): warm GET req/s and MB/s of RGW, of the
overlay over RGW and over its embedded store, and of nginx serving the same files; PUT req/s.

Usage: bench/run.sh --rgw [--builds NAME=PUBLISH_DIR ...] [--rounds N]
Writes bench/results/rgw.json and bench/results/rgw.md.
"""
import argparse
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import time

import boto3
import botocore.exceptions
from botocore.config import Config

from measure import wrk
from servers import PROXY, ROOT, S3RVER_KEYS, WORK, start_minimal_app, start_nginx, start_proxy, start_s3rver, stop_all, free_port

RESULTS = ROOT / "bench" / "results"
CLUSTER = ROOT / "build" / "rgw" / "rgw-cluster.sh"
KiB = 1024
SIZE = 256 * KiB
WARM_FILLS = 150  # cold fills per proxy before any is timed (see the warm-up)


def client(url, keys):
    return boto3.client("s3", endpoint_url=url, aws_access_key_id=keys[0], aws_secret_access_key=keys[1], region_name="us-east-1",
                        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 0}))


class Rgw:
    """A throw-away cluster by build/rgw/rgw-cluster.sh (the tests' own), stopped as the run ends."""

    def __init__(self):
        self.dir = WORK / "rgw"
        shutil.rmtree(self.dir, ignore_errors=True)
        out = subprocess.run(["bash", str(CLUSTER), "start", str(self.dir)], capture_output=True, text=True, check=True).stdout
        lines = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        self.url = lines["endpoint"]
        self.main = (lines["access_key"], lines["secret_key"])
        self.second = (lines["second_access_key"], lines["second_secret_key"])

    def stop(self):
        subprocess.run(["bash", str(CLUSTER), "stop", str(self.dir)], check=False)


def pattern(seed, size=SIZE):
    return (bytes([seed % 251]) * 61 + os.urandom(3))[:61] * (size // 61) + b"x" * (size % 61)


# Every timed request follows the same pause. The same build measured twice in one run, as two
# builds side by side, differed by a millisecond (cold 8.36 / 9.40, warm 4.51 / 3.35, PUT 7.60 /
# 8.52) when one came right after other requests and the other after a sleep: a request to a
# server (RGW, or the proxy) that has been idle for a tenth of a second pays to wake it. The pause
# also lets a fill finish storing after its reader has the body (over RGW, the PUT of the copy),
# so nothing is timed beside another's trailing work.
PAUSE = 0.1


def timed(operation):
    time.sleep(PAUSE)
    t0 = time.perf_counter()
    operation()
    return (time.perf_counter() - t0) * 1000


def get(c, bucket, key):
    return lambda: c.get_object(Bucket=bucket, Key=key)["Body"].read()


def missing(call):
    """A request for a key that is not there: its 404 (or, for a HEAD, a body-less error) is the answer timed."""
    def run():
        try:
            call()
        except botocore.exceptions.ClientError:
            pass
    return run


def put(c, bucket, key, body, **checksum):
    return lambda: c.put_object(Bucket=bucket, Key=key, Body=body, **checksum)


# boto3 from 1.36 (and the AWS SDKs) send a CRC32 with every PUT by default; the boto3 this runs
# (Debian's 1.26) sends one only when asked, so the PUT is measured both ways.
CRC32 = {"ChecksumAlgorithm": "CRC32"}


def overlay_env(local, remote_url, remote_keys, mapping):
    """A proxy caching what it reads of one mapped bucket; over `local` (an Rgw) when given, else its embedded store."""
    env = {"S3_OVERLAY_CACHE_BUCKET": "cache-" + mapping.split(":")[0], "S3_OVERLAY_REMOTE_ENDPOINT": remote_url, "S3_OVERLAY_REMOTE_REGION": "us-east-1",
           "S3_OVERLAY_REMOTE_ADDRESSING_STYLE": "path", "S3_OVERLAY_REMOTE_ACCESS_KEY_ID": remote_keys[0],
           "S3_OVERLAY_REMOTE_SECRET_ACCESS_KEY": remote_keys[1], "S3_OVERLAY_CACHE_ENABLED": "true",
           "S3_OVERLAY_BUCKET_MAPPING": mapping, "S3_OVERLAY_SPILL_DIR": str(WORK / "spill")}
    if local is not None:
        env.update({"S3_OVERLAY_LOCAL_ENDPOINT": local.url, "S3_OVERLAY_LOCAL_ACCESS_KEY": local.main[0],
                    "S3_OVERLAY_LOCAL_SECRET_KEY": local.main[1]})
    return env


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--builds", nargs="*", default=[f"proxy={PROXY}"], help="NAME=PUBLISH_DIR of each build to measure side by side")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--seconds", type=int, default=6, help="each wrk measurement")
    args = parser.parse_args()
    builds = [(b.split("=", 1)[0], pathlib.Path(b.split("=", 1)[1])) for b in args.builds]
    WORK.mkdir(parents=True, exist_ok=True)
    results = {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "load_average": [float(open("/proc/loadavg").read().split()[0])],
               "rounds": args.rounds, "size": SIZE, "builds": [name for name, _ in builds]}
    for old in WORK.glob("data-*"):
        shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(WORK / "rgw-bench-s3rver", ignore_errors=True)
    rgw = None
    try:
        rgw = Rgw()
        s3rver = start_s3rver(WORK / "rgw-bench-s3rver")
        rgw_c, s3rver_c = client(rgw.url, rgw.main), client(s3rver.url, S3RVER_KEYS)
        rgw_second_c = client(rgw.url, rgw.second)
        rgw_c.create_bucket(Bucket="direct")
        s3rver_c.create_bucket(Bucket="origin")
        rgw_second_c.create_bucket(Bucket="rgw-origin")
        n = args.rounds
        for i in range(n * len(builds) * 3 + 1):
            body = pattern(i)
            s3rver_c.put_object(Bucket="origin", Key=f"o{i}", Body=body)
            rgw_second_c.put_object(Bucket="rgw-origin", Key=f"o{i}", Body=body)
        rgw_c.put_object(Bucket="direct", Key="warm", Body=pattern(1))
        # One hop in front of RGW (and of the remote), storing and checking nothing: what any proxy
        # costs here. Each passes the Host header through, so the client's signature (made for the
        # relay's address) holds.
        def relay_conf(name, port, upstream):
            return f"""  upstream {name} {{ server 127.0.0.1:{upstream}; keepalive 16; }}
  server {{ listen 127.0.0.1:{port};
location / {{ proxy_pass http://{name}; proxy_http_version 1.1; proxy_set_header Host $http_host; proxy_set_header Connection "";
             proxy_buffering off; proxy_request_buffering off; }} }}"""
        rgw_relay_port, s3rver_relay_port = free_port(), free_port()
        start_nginx("rgw-relay", relay_conf("rgw", rgw_relay_port, rgw.url.rsplit(":", 1)[1])
                    + relay_conf("s3rver", s3rver_relay_port, s3rver.url.rsplit(":", 1)[1]))
        relays = {"nginx relay": client(f"http://127.0.0.1:{rgw_relay_port}", rgw.main),
                  "minimal relay": client(start_minimal_app("rgw-minimal-relay", remote=rgw.url).url, rgw.main)}
        remote_relays = {"nginx relay": client(f"http://127.0.0.1:{s3rver_relay_port}", S3RVER_KEYS),
                         "minimal relay": client(start_minimal_app("s3rver-minimal-relay", remote=s3rver.url).url, S3RVER_KEYS)}
        for i in range(WARM_FILLS):
            s3rver_c.put_object(Bucket="origin", Key=f"w{i}", Body=pattern(i))
            rgw_second_c.put_object(Bucket="rgw-origin", Key=f"w{i}", Body=pattern(i))

        # Per build: over RGW (s3rver remote), over the embedded store (s3rver remote), over the embedded store (RGW remote).
        proxies = {}
        for name, build in builds:
            over_rgw = start_proxy(f"{name}-over-rgw", WORK / f"data-{name}-rgw", overlay_env(rgw, s3rver.url, S3RVER_KEYS, f"{name}-rgw:origin"), build=build)
            embedded = start_proxy(f"{name}-embedded", WORK / f"data-{name}-emb", overlay_env(None, s3rver.url, S3RVER_KEYS, f"{name}-emb:origin"), build=build)
            rgw_remote = start_proxy(f"{name}-rgw-remote", WORK / f"data-{name}-rr", overlay_env(None, rgw.url, rgw.second, f"{name}-rr:rgw-origin"), build=build)
            proxies[name] = {"over_rgw": (over_rgw, client(over_rgw.url, ("minioadmin", "minioadmin")), f"{name}-rgw"),
                             "embedded": (embedded, client(embedded.url, ("minioadmin", "minioadmin")), f"{name}-emb"),
                             "rgw_remote": (rgw_remote, client(rgw_remote.url, ("minioadmin", "minioadmin")), f"{name}-rr")}
            for _, c, bucket in proxies[name].values():
                c.put_object(Bucket=bucket, Key="warm", Body=pattern(1))  # makes the local bucket; the warm-GET object
                c.get_object(Bucket=bucket, Key="o0")["Body"].read()  # the first fill makes the cache bucket: not measured

        samples = {}

        def sample(row, ms):
            samples.setdefault(row, []).append(ms)

        # Warm-up, unmeasured: every path's code compiled, every connection open. The cold path
        # too: a fresh proxy compiles its methods once (tier 0) and again, optimized, after about
        # 30 calls, in the background; 30 measured fills on a cold path were mostly the JIT at
        # work (1.9 s of compiling, 3,470 methods, during 60 fills that followed 60 unmeasured ones).
        for _ in range(20):
            get(rgw_c, "direct", "warm")()
            for c in relays.values():
                get(c, "direct", "warm")()
                put(c, "direct", "relay-warm-up", pattern(1))()
            for c in remote_relays.values():
                get(c, "origin", "o0")()
            get(s3rver_c, "origin", "o0")()
            for name in proxies:
                for _, c, bucket in proxies[name].values():
                    get(c, bucket, "warm")()
        for i in range(WARM_FILLS):
            for name in proxies:
                for _, c, bucket in proxies[name].values():
                    get(c, bucket, f"w{i}")()
        time.sleep(1)
        key = 1
        for r in range(n):
            # The builds take turns at going first, so none is always measured in one place of the round.
            order = list(proxies)[r % len(proxies):] + list(proxies)[:r % len(proxies)]
            sample("remote s3rver: GET", timed(get(s3rver_c, "origin", f"o{r}")))
            sample("remote RGW: GET", timed(get(rgw_second_c, "rgw-origin", f"o{r}")))
            sample("RGW: GET", timed(get(rgw_c, "direct", "warm")))
            sample("RGW: GET of a missing key", timed(missing(lambda: rgw_c.get_object(Bucket="direct", Key=f"none{r}"))))
            sample("RGW: HEAD of a missing key", timed(missing(lambda: rgw_c.head_object(Bucket="direct", Key=f"none{r}"))))
            sample("RGW: PUT", timed(put(rgw_c, "direct", f"p{r}", pattern(r))))
            sample("RGW: PUT with a CRC32", timed(put(rgw_c, "direct", f"c{r}", pattern(r), **CRC32)))
            for relay, c in relays.items():
                sample(f"{relay} to RGW: GET", timed(get(c, "direct", "warm")))
                sample(f"{relay} to RGW: PUT", timed(put(c, "direct", f"r{r}", pattern(r))))
            for relay, c in remote_relays.items():
                sample(f"{relay} to s3rver: GET", timed(get(c, "origin", f"o{r}")))
            for name in order:
                for kind, (_, c, bucket) in proxies[name].items():
                    sample(f"{name} {kind}: cold GET", timed(get(c, bucket, f"o{key}")))
                    key += 1
            for name in order:
                for kind, (_, c, bucket) in proxies[name].items():
                    sample(f"{name} {kind}: warm GET", timed(get(c, bucket, "warm")))
            for name in order:
                for kind, (_, c, bucket) in proxies[name].items():
                    sample(f"{name} {kind}: PUT", timed(put(c, bucket, f"p{r}", pattern(r))))
            for name in order:
                for kind, (_, c, bucket) in proxies[name].items():
                    sample(f"{name} {kind}: PUT with a CRC32", timed(put(c, bucket, f"c{r}", pattern(r), **CRC32)))
        results["latency_ms"] = {row: {"median": statistics.median(xs), "p90": sorted(xs)[int(len(xs) * 0.9) - 1], "n": len(xs)}
                                 for row, xs in samples.items()}

        # Throughput: warm GETs of 4 KiB and 1 MiB objects, and PUTs of 256 KiB, by presigned URLs.
        files = WORK / "rgw-files"
        shutil.rmtree(files, ignore_errors=True)
        files.mkdir(parents=True)
        nginx_port = free_port()
        nginx = start_nginx("rgw-nginx", f"server {{ listen 127.0.0.1:{nginx_port}; root {files}; }}")
        nginx.url = f"http://127.0.0.1:{nginx_port}"
        body_file = WORK / "rgw-put-body"
        body_file.write_bytes(pattern(7))
        targets = {"RGW": (rgw_c, "direct")}
        for name in proxies:
            targets[f"{name} over RGW"] = (proxies[name]["over_rgw"][1], proxies[name]["over_rgw"][2])
            targets[f"{name} embedded"] = (proxies[name]["embedded"][1], proxies[name]["embedded"][2])
        throughput = {}
        for size_name, size in (("4 KiB", 4 * KiB), ("1 MiB", 1024 * KiB)):
            data = pattern(3, size)
            (files / f"t{size}").write_bytes(data)
            for target, (c, bucket) in targets.items():
                c.put_object(Bucket=bucket, Key=f"t{size}", Body=data)
            rows = {"nginx": lambda: wrk(nginx.url, [f"/t{size}"], seconds=args.seconds)}
            for target, (c, bucket) in targets.items():
                path = presigned(c, bucket, f"t{size}", "get_object")
                base = c.meta.endpoint_url
                rows[target] = (lambda base=base, path=path: wrk(base, [path], seconds=args.seconds))
            for target, run in rows.items():
                run()  # warm-up
                throughput[f"warm GET {size_name}: {target}"] = run()
        for target, (c, bucket) in targets.items():
            path = presigned(c, bucket, "put-target", "put_object")
            throughput[f"PUT 256 KiB: {target}"] = wrk(c.meta.endpoint_url, put_path=path, put_body=body_file, seconds=args.seconds)
        results["throughput"] = throughput
    finally:
        stop_all()
        if rgw is not None:
            rgw.stop()
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    results["load_average"].append(float(open("/proc/loadavg").read().split()[0]))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "rgw.json").write_text(json.dumps(results, indent=1))
    (RESULTS / "rgw.md").write_text(report(results))
    print(report(results))


def presigned(c, bucket, key, method):
    import urllib.parse
    url = c.generate_presigned_url(method, Params={"Bucket": bucket, "Key": key}, ExpiresIn=7200)
    parts = urllib.parse.urlsplit(url)
    return parts.path + "?" + parts.query


def report(results):
    lat = results["latency_ms"]

    def m(row):
        return lat[row]["median"]

    out = [f"Measured {results['started']} to {results['finished']} (load average {results['load_average'][0]:.2f} / {results['load_average'][1]:.2f}), "
           f"{results['rounds']} rounds, {results['size'] // KiB} KiB objects, boto3, medians in ms (p90).", "",
           "| | " + " | ".join(results["builds"]) + " | reference | target |", "|---|" + "---|" * (len(results["builds"]) + 2)]

    def row(label, kind, op, reference, target):
        cells = [f"{m(f'{b} {kind}: {op}'):.2f} ({m(f'{b} {kind}: {op}') / m(reference):.2f} ×)" for b in results["builds"]]
        out.append(f"| {label} | " + " | ".join(cells) + f" | {reference}: {m(reference):.2f} | {target} |")

    row("cold GET, RGW local, s3rver remote", "over_rgw", "cold GET", "remote s3rver: GET", "≤ 1.3 ×")
    row("warm GET, RGW local", "over_rgw", "warm GET", "RGW: GET", "≤ 1.15 ×")
    row("PUT, RGW local", "over_rgw", "PUT", "RGW: PUT", "≤ 1.1 ×")
    row("PUT with a CRC32 (newer SDKs' default), RGW local", "over_rgw", "PUT with a CRC32", "RGW: PUT with a CRC32", "≤ 1.1 ×")
    row("cold GET, embedded store, s3rver remote", "embedded", "cold GET", "remote s3rver: GET", "")
    row("warm GET, embedded store", "embedded", "warm GET", "RGW: GET", "")
    row("PUT, embedded store", "embedded", "PUT", "RGW: PUT", "")
    row("PUT with a CRC32, embedded store", "embedded", "PUT with a CRC32", "RGW: PUT with a CRC32", "")
    row("cold GET, embedded store, RGW remote", "rgw_remote", "cold GET", "remote RGW: GET", "")
    def floor(relay):
        return (f"{relay} GET {m(relay + ' to RGW: GET'):.2f} ({m(relay + ' to RGW: GET') / m('RGW: GET'):.2f} ×), "
                f"PUT {m(relay + ' to RGW: PUT'):.2f} ({m(relay + ' to RGW: PUT') / m('RGW: PUT'):.2f} ×), "
                f"the remote's GET {m(relay + ' to s3rver: GET'):.2f} ({m(relay + ' to s3rver: GET') / m('remote s3rver: GET'):.2f} ×)")
    if "minimal relay to RGW: GET" in lat:
        out += ["", "One hop in front of RGW (and of the remote) that stores and checks nothing, the floor of any proxy "
                "(nginx's unbuffered proxy_pass; the minimal ASP.NET Core app's HttpClient-to-Kestrel relay): "
                + "; ".join(floor(relay) for relay in ("nginx relay", "minimal relay")) + "."]
    out += ["", "RGW's own answers, the parts a cold fill over it is made of: "
            + ", ".join(f"{r[5:]} {m(r):.2f}" for r in ("RGW: GET of a missing key", "RGW: HEAD of a missing key", "RGW: PUT", "RGW: GET")) + " ms.", ""]
    out += ["| wrk, 16 connections | req/s | MB/s | p50 ms | p99 ms |", "|---|---|---|---|---|"]
    for name, r in results["throughput"].items():
        out.append(f"| {name} | {r['rps']:.0f} | {r['mbs']:.1f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
