"""Listings of the embedded store at 1k to 1M keys, two builds (before and after its listing index)
beside Ceph RGW 16.2 (its bucket index), in one run; and what PUT, GET and DELETE cost on each build.

Buckets (1 KiB objects):
  k<N>   N keys k/0000000 ... in one folder
  tree   100,000 keys s/<5 digits>/<5 digits>: a folder of 10,000 sub-folders of 10 keys each
Rows, each the median of --rounds (boto3 on the same host, one client per target):
  page     a page of 1,000 keys, StartAfter mid-bucket
  prefix   a 100-key prefix query (Prefix=k/<the mid key's first 5 digits>, Delimiter=/)
  page-http, prefix-http  the same two requests presigned, on a kept-alive connection, each answer
           read whole but not parsed: the server's time without boto3's XML parsing (most of a page's)
  folders  the delimiter listing of tree's s/ (10 pages of 1,000 common prefixes)
  whole    every page of k<N> (one round), on the after build and RGW; the before build only to
           --whole-max-before (100,000): at 1M it describes files as it lists (its lookups cost per
           key, not per page), an hour and more, and the earlier runs measured it to 100,000
How the buckets are built, fast: the after build creates them (so its index covers them) and
stops; the files are written straight into the bucket folders (Python, 1 KiB each); the after
build starts (its index missing, so rebuilt from the files: the rebuild's time is a row) and one
whole listing of each bucket describes every file once (MD5, sidecar), fsync made a no-op for that
pass only (bench/nofsync.c; one sync(1) after). The before build gets a copy of the data folder
made of hard links (same inodes, so the same sidecars are valid). Every bucket up to --describe-max
is described that way, so its whole listing reads described files only: give it the biggest size
(1000000) for a whole listing at 1M.
RGW's buckets are written with wrk (bench/rgw-put.lua, 2 threads, 64 connections): unsigned PUTs
of the same 1 KiB objects under a bucket policy that lets anyone PutObject, removed before the
listings (which are signed). boto3 with 64 threads wrote 260-300 PUTs a second here; wrk
1,300-1,700 (a 20,000-key probe on a quiet machine, 28 Nov 2026), so 1M would take 10-13 minutes.
--rgw-max caps the sizes RGW is built to: RGW's OSD keeps every object in RAM (memstore), and it
grew by 14-32 KiB of resident memory per 1 KiB object in those probes (14-16 KiB with its PG logs
cut to 500 entries): the run's 1.21M objects would need 17-37 GiB, more than this machine's 23 GiB.
Above 100,000 the bench's cluster gets PG logs of 500 entries (RGW_PG_LOG_ENTRIES, read by
build/rgw/rgw-cluster.sh; the tests' clusters keep Ceph's default), and RGW at 1M fits here only
beside the 1M bucket alone: --sizes 1000000 --rgw-tree-per-folder 1 (1.01M objects), with --reuse
over the data folder of a run that built every size (--results names that run's files).
RGW runs with Nagle's algorithm off on its answers (beast's tcp_nodelay=1, RGW_TCP_NODELAY), as
docs/stores.md tells its operators: without it every small answer waited 40 ms for the client's
delayed ACK (a 100-key prefix query 43-52 ms instead of a few), which the runs before 28 Nov 18:19
measured.

Usage: python3 bench/listing.py --builds [before=DIR] after=DIR [--sizes 1000,10000,100000,1000000] [--rounds 5] [--rgw-max 100000] [--describe-max 1000000]
Writes bench/results/listing.json and bench/results/listing.md.

--versions-only (bench/results/listing-versions.json and .md): ListObjectVersions and ListMultipartUploads.
  v<N>     N keys k/0000000 ..., each with 2 versions (1 KiB): the current one and one noncurrent
  rows: vpage (a page of 1,000 versions, KeyMarker mid-bucket: just after the mid key), vprefix (Prefix=k/<5 digits>, Delimiter=/:
  100 keys, 200 versions), vpage-http and vprefix-http (the same two presigned, not parsed: the server's
  time), vwhole (every page of v<N>, one round: the first after the index's rebuild, which settles
  the rows) and vwhole again (the next one), uploads (a page of ListMultipartUploads
  with 10 and with --uploads uploads in progress, keys u/<n>), then PUT/GET/DELETE as above.
  Built fast: the after build creates the buckets (versioning on) and writes one key twice through
  S3 in a template bucket; Python copies what that wrote to every key of v<N> (the body, its sidecar
  naming the file's size, mtime and inode, the versions folder with the noncurrent body and record,
  each key's folders named by the SHA-256 of the key as the store names them), with the template's
  version ids; the after build starts, its index missing, so rebuilt from the files. The before
  build gets a hard-linked copy. RGW's versioned buckets are written with wrk as its others are, two passes (2 PUTs a key).
"""
import argparse
import concurrent.futures
import http.client
import json
import os
import pathlib
import re
import shutil
import socket
import statistics
import subprocess
import time
import urllib.parse

import boto3
from botocore.config import Config

from rgw import Rgw
from servers import PROXY_KEYS, ROOT, WORK, start_proxy, stop_all, wait_http

RESULTS = ROOT / "bench" / "results"
BODY = b"x" * 1024
TREE_FOLDERS, TREE_PER_FOLDER = 10_000, 10


def client(url, keys):
    return boto3.client("s3", endpoint_url=url, aws_access_key_id=keys[0], aws_secret_access_key=keys[1], region_name="us-east-1",
                        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 0},
                                      max_pool_connections=64))


def flat_key(i):
    return f"k/{i:07d}"


def tree_key(i):
    return f"s/{i % TREE_FOLDERS:05d}/{i // TREE_FOLDERS:05d}"


def write_files(folder, keys):
    """The objects as files, straight into a bucket folder (what the store would write, but its own description)."""
    made = set()
    for key in keys:
        path = folder / key
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(BODY)


def put_all(c, bucket, keys, threads=64):
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        for f in [pool.submit(c.put_object, Bucket=bucket, Key=k, Body=BODY) for k in keys]:
            f.result()


WRK_THREADS, WRK_CONNECTIONS = 2, 64


def wrk_fill(c, url, bucket, total, shape, versions=0):
    """Writes keys 0 .. total-1 of a shape (flat: k/0000000 ..., tree: s/...) into a new bucket of
    RGW with wrk (bench/rgw-put.lua): unsigned PUTs, the bucket's policy letting anyone PutObject;
    with versions, into a versioned bucket, every key that many times (one pass of wrk each).
    boto3 with 64 threads wrote 260-300 a second here (its signing and parsing in one Python
    process); wrk writes as fast as RGW takes them. Every PUT must be answered with a 2xx, and a
    listing of the bucket must count every key (its time is part of the fill's)."""
    c.create_bucket(Bucket=bucket)
    if versions:
        c.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    c.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    for _ in range(max(versions, 1)):
        wrk_pass(url, bucket, total, shape)
    c.delete_bucket_policy(Bucket=bucket)  # the listings are signed, as any client's
    count = list_all(c, bucket)[0]
    assert count == total, (bucket, count, total)


def wrk_pass(url, bucket, total, shape):
    """One pass of wrk over the keys: each PUT once, every one answered with a 2xx."""
    import signal
    wrk = subprocess.Popen(["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", "-d3600s", "-s", str(ROOT / "bench" / "rgw-put.lua"), url,
                            "--", bucket, str(total), str(WRK_THREADS), shape], stdout=subprocess.PIPE, text=True)
    written, out = 0, []
    for line in wrk.stdout:  # wrk runs until -d: each thread says when its slice is in, then wrk is stopped
        out.append(line)
        if line.strip() == "slice written":
            written += 1
            if written == WRK_THREADS:
                wrk.send_signal(signal.SIGINT)
    wrk.wait()
    text = "".join(out)
    failures = re.search(r"put_failures=(\d+)", text)
    assert written == WRK_THREADS and failures and failures.group(1) == "0", text


def list_all(c, bucket, **query):
    """Every page; returns (entries, pages)."""
    entries, pages, token = 0, 0, None
    while True:
        page = c.list_objects_v2(Bucket=bucket, MaxKeys=1000, **query, **({"ContinuationToken": token} if token else {}))
        entries += page.get("KeyCount", 0)
        pages += 1
        if not page.get("IsTruncated"):
            return entries, pages
        token = page["NextContinuationToken"]


def timed(call):
    t0 = time.perf_counter()
    result = call()
    return (time.perf_counter() - t0) * 1000, result


def rows_for(n):
    mid = flat_key(n // 2)
    page = {"Bucket": f"k{n}", "MaxKeys": 1000, "StartAfter": mid}
    prefix = {"Bucket": f"k{n}", "Prefix": mid[:7], "Delimiter": "/"}
    return {
        "page": lambda c: c.list_objects_v2(**page)["KeyCount"],
        "prefix": lambda c: c.list_objects_v2(**prefix)["KeyCount"],
        "page-http": lambda c: raw_listing(c, page),
        "prefix-http": lambda c: raw_listing(c, prefix),
    }


PRESIGNED = {}
CONNECTIONS = {}


def raw_listing(c, params, operation="list_objects_v2", element=b"<Key>"):
    """The same request as a presigned GET on a kept-alive connection, the answer read whole and
    not parsed: what the server takes (and the loopback), without boto3's XML parsing, which is most
    of a 1,000-key page's time in Python (about 50 ms against the server's 4 ms here). The URL is
    signed once, in the unmeasured first round. Returns the keys in the answer."""
    # By the server, not by id(c): a client made for each server may take a gone one's id.
    signed = (c.meta.endpoint_url, operation, repr(params))
    url = PRESIGNED.get(signed)
    if url is None:
        url = PRESIGNED[signed] = urllib.parse.urlsplit(c.generate_presigned_url(operation, Params=params, ExpiresIn=3600))
    connection = CONNECTIONS.get(url.netloc)
    if connection is None:
        connection = CONNECTIONS[url.netloc] = http.client.HTTPConnection(url.netloc)
        connection.connect()
        # As urllib3 (boto3's) does: without it, RGW's answers waited 40 ms here for a delayed ACK.
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    connection.request("GET", f"{url.path}?{url.query}")
    answer = connection.getresponse()
    body = answer.read()
    assert answer.status == 200, (url.netloc, answer.status, body[:300])
    return body.count(element)


TICKS_AT_UNIX_EPOCH = 621355968000000000  # .NET DateTime ticks (100 ns) at 1970-01-01


def build_versions_fixture(after_build, data, sizes):
    """Versioned buckets v<N> of N keys with 2 versions each, copied from a key written twice through S3 (see the doc)."""
    import hashlib
    proxy = start_proxy("listing-versions-fixture", data, build=after_build)
    c = client(proxy.url, PROXY_KEYS)
    for bucket in ["vtemplate"] + [f"v{n}" for n in sizes]:
        c.create_bucket(Bucket=bucket)
        c.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for _ in range(2):
        c.put_object(Bucket="vtemplate", Key="k/0000000", Body=BODY)
    proxy.stop()
    reserved = data / ".s3overlay"

    def hashed(key):
        h = hashlib.sha256(key.encode()).hexdigest()
        return h[:2], h

    a, h = hashed("k/0000000")
    current = json.loads((reserved / "meta" / "vtemplate" / a / (h + ".json")).read_text())
    [old] = [json.loads(p.read_text()) for p in (reserved / "versions" / "vtemplate" / a / h).glob("*.json")]
    current.pop("previous", None)
    current.pop("Previous", None)
    field = {name.lower(): name for name in current}
    field.setdefault("fileinode", "fileInode")
    for n in sizes:
        bucket = data / f"v{n}"
        shared = None
        made = set()
        for i in range(n):
            key = flat_key(i)
            a, h = hashed(key)
            body = bucket / key
            if body.parent not in made:
                body.parent.mkdir(parents=True, exist_ok=True)
                made.add(body.parent)
            body.write_bytes(BODY)
            st = os.stat(body)
            meta = reserved / "meta" / f"v{n}" / a
            if meta not in made:
                meta.mkdir(parents=True, exist_ok=True)
                made.add(meta)
            (meta / (h + ".json")).write_text(json.dumps({**current, field["key"]: key, field["fileticks"]: st.st_mtime_ns // 100 + TICKS_AT_UNIX_EPOCH,
                                                          field["fileinode"]: st.st_ino}))
            versions = reserved / "versions" / f"v{n}" / a / h
            versions.mkdir(parents=True, exist_ok=True)
            if i % 30_000 == 0:  # noncurrent bodies are hard links (as the store makes them): the copy for the before build doubles each file's links, under ext4's 65,000
                shared = versions / old[field["versionid"]]
                shared.write_bytes(BODY)
            else:
                os.link(shared, versions / old[field["versionid"]])
            (versions / (old[field["versionid"]] + ".json")).write_text(json.dumps({**old, field["key"]: key}))
    shutil.rmtree(reserved / "index")
    t0 = time.perf_counter()
    log = WORK / "listing-describe.log"
    log.unlink(missing_ok=True)
    proxy = start_proxy("listing-describe", data, build=after_build, timeout=1800, env={
        "Logging__LogLevel__S3Overlay.Storage.FileSystem.FileSystemObjectStore": "Information"})
    seconds = time.perf_counter() - t0
    proxy.stop()
    rebuilt = {}
    for line in open(log, errors="replace"):
        m = re.search(r"bucket (\S+) rebuilt from its files, (\d+) keys in ([\d.]+) s \(([\d.]+) s of CPU\); (\d+) keys with versions", line)
        if m:
            rebuilt[m.group(1)] = {"keys": int(m.group(2)), "seconds": float(m.group(3)), "cpu_seconds": float(m.group(4)), "versioned": int(m.group(5))}
    return rebuilt, round(seconds, 1)


def list_versions_all(c, bucket, **query):
    """Every page of ListObjectVersions; returns (versions + prefixes, pages)."""
    entries, pages, markers = 0, 0, {}
    while True:
        page = c.list_object_versions(Bucket=bucket, MaxKeys=1000, **query, **markers)
        entries += len(page.get("Versions", [])) + len(page.get("DeleteMarkers", [])) + len(page.get("CommonPrefixes", []))
        pages += 1
        if not page.get("IsTruncated"):
            return entries, pages
        markers = {"KeyMarker": page["NextKeyMarker"], "VersionIdMarker": page["NextVersionIdMarker"]}


def versions_rows(n):
    mid = flat_key(n // 2)
    # KeyMarker just past the mid key, not at it: with a key marker alone RGW lists that key's versions too, S3 and we start after it.
    page = {"Bucket": f"v{n}", "MaxKeys": 1000, "KeyMarker": mid + "~"}
    prefix = {"Bucket": f"v{n}", "Prefix": mid[:7], "Delimiter": "/"}
    full = min(1000, 2 * (n - n // 2 - 1))
    return {
        "vpage": (lambda c: len(c.list_object_versions(**page)["Versions"]), full),
        "vprefix": (lambda c: len(c.list_object_versions(**prefix)["Versions"]), 200),
        # The same two presigned, read whole and not parsed (raw_listing): the server's time without boto3's parsing.
        "vpage-http": (lambda c: raw_listing(c, page, "list_object_versions", b"<Version>"), full),
        "vprefix-http": (lambda c: raw_listing(c, prefix, "list_object_versions", b"<Version>"), 200),
    }


def run_versions(args, builds):
    """ListObjectVersions at each size and ListMultipartUploads at 10 and --uploads uploads, the builds and RGW in one run."""
    sizes = [int(s) for s in args.sizes.split(",")]
    after_name, after_build = builds[-1]
    results = {"started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "cores": os.cpu_count(),
               "load_average": open("/proc/loadavg").read().split()[:3], "sizes": sizes, "rounds": args.rounds,
               "builds": [n for n, _ in builds], "rows": {}, "whole": {}, "whole_again": {}}
    data = {name: WORK / f"listing-versions-{name}" for name, _ in builds}
    rgw = None
    try:
        for d in data.values():
            shutil.rmtree(d, ignore_errors=True)
        t0 = time.perf_counter()
        results["rebuild"], results["rebuild_start_seconds"] = build_versions_fixture(after_build, data[after_name], sizes)
        results["fixture_seconds"] = round(time.perf_counter() - t0, 1)
        for name, build in builds[:-1]:
            subprocess.run(["cp", "-al", str(data[after_name]), str(data[name])], check=True)
            shutil.rmtree(data[name] / ".s3overlay" / "index", ignore_errors=True)
            start_proxy(f"listing-versions-{name}-index", data[name], build=build, timeout=1800).stop()
        targets = {}
        for name, build in builds:
            proxy = start_proxy(f"listing-versions-{name}", data[name], build=build)
            targets[name] = (proxy, client(proxy.url, PROXY_KEYS))
        rgw = Rgw()
        rgw_c = client(rgw.url, rgw.main)
        t0 = time.perf_counter()
        for n in sizes:
            if n <= args.rgw_max:
                wrk_fill(rgw_c, rgw.url, f"v{n}", n, "flat", versions=2)
        results["rgw_fill_seconds"] = round(time.perf_counter() - t0, 1)
        targets["rgw"] = (None, rgw_c)
        for n in sizes:
            for row, (call, expected) in versions_rows(n).items():
                samples = {name: [] for name in targets}
                for r in range(args.rounds + 1):  # the first round unmeasured
                    for name, (_, c) in targets.items():
                        if name == "rgw" and n > args.rgw_max:
                            continue
                        ms, count = timed(lambda: call(c))
                        assert count == expected, (name, n, row, count)
                        if r > 0:
                            samples[name].append(ms)
                results["rows"][f"{row} {n}"] = {k: round(statistics.median(v), 1) for k, v in samples.items() if v}
                print(row, n, results["rows"][f"{row} {n}"], flush=True)
        for n in sizes:
            results["whole"][n] = {}
            for name, (_, c) in targets.items():
                if (name == "rgw" and n > args.rgw_max) or (name != after_name and n > args.whole_max_before):
                    continue
                # Twice: the first listing after the index is rebuilt describes each key from its files and settles its rows.
                for again in (False, True):
                    ms, (count, _) = timed(lambda: list_versions_all(c, f"v{n}"))
                    assert count == 2 * n, (name, n, count)
                    results["whole_again" if again else "whole"].setdefault(n, {})[name] = round(ms / 1000, 2)
            print("vwhole", n, results["whole"][n], results["whole_again"].get(n), flush=True)
        for uploads in [10, args.uploads]:
            bucket = f"u{uploads}"
            samples = {name: [] for name in targets}
            with concurrent.futures.ThreadPoolExecutor(64) as pool:
                for name, (_, c) in targets.items():
                    c.create_bucket(Bucket=bucket)
                    for f in [pool.submit(c.create_multipart_upload, Bucket=bucket, Key=f"u/{i:05d}") for i in range(uploads)]:
                        f.result()
            for r in range(args.rounds + 1):
                for name, (_, c) in targets.items():
                    ms, count = timed(lambda: len(c.list_multipart_uploads(Bucket=bucket, MaxUploads=1000, KeyMarker=f"u/{uploads // 2:05d}~").get("Uploads", [])))
                    assert count == min(1000, uploads - uploads // 2 - 1), (name, uploads, count)
                    if r > 0:
                        samples[name].append(ms)
            results["rows"][f"uploads {uploads}"] = {k: round(statistics.median(v), 1) for k, v in samples.items()}
            print("uploads", uploads, results["rows"][f"uploads {uploads}"], flush=True)
        close_run(results, targets, builds, args.ops_rounds)
    finally:
        stop_all()
        if rgw:
            rgw.stop()
    write_results(results, "listing-versions" if args.results == "listing" else args.results, versions_report)


def close_run(results, targets, builds, ops_rounds):
    """The run's last figures: each proxy's peak resident set, then (the proxies stopped) PUT, GET and DELETE on each build."""
    results["peak_rss_mib"] = {name: round(p.peak_rss_mib(), 1) for name, (p, _) in targets.items() if p}
    for name, (p, _) in targets.items():
        if p:
            p.stop()
    results["ops_ms"] = ops(builds, ops_rounds)
    print("ops", results["ops_ms"], flush=True)


def write_results(results, name, render):
    """bench/results/NAME.json and NAME.md (the table render makes), and the table on the screen."""
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2))
    (RESULTS / f"{name}.md").write_text(render(results))
    print(render(results))


def versions_report(r):
    names = r["builds"] + ["rgw"]
    lines = [f"Run {r['started']} – {r['finished']}, {r['cores']} cores (load average {' '.join(r['load_average'])} at the start), "
             f"medians of {r['rounds']} rounds, ms (whole listings in s).", "",
             "| row | keys (or uploads) | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]
    for key, v in r["rows"].items():
        row, n = key.split()
        lines.append(f"| {row} | {int(n):,} | " + " | ".join(str(v.get(x, "")) for x in names) + " |")
    for n, v in r["whole"].items():
        lines.append(f"| vwhole, s | {int(n):,} | " + " | ".join(str(v.get(x, "")) for x in names) + " |")
    for n, v in r.get("whole_again", {}).items():
        lines.append(f"| vwhole again, s | {int(n):,} | " + " | ".join(str(v.get(x, "")) for x in names) + " |")
    lines += ["", f"Fixture built in {r['fixture_seconds']} s; the after build's start with its index rebuilt {r['rebuild_start_seconds']} s: " + ", ".join(
                  f"{k} {v['keys']:,} keys ({v['versioned']:,} with versions) in {v['seconds']} s" for k, v in r["rebuild"].items()),
              f"RGW's versioned buckets written in {r.get('rgw_fill_seconds')} s",
              "Peak RSS after the run, MiB: " + ", ".join(f"{k} {v}" for k, v in r.get("peak_rss_mib", {}).items()),
              "PUT / GET / DELETE of 4 KiB, one client, medians ms: " + "; ".join(
                  f"{k} {v['put']} / {v['get']} / {v['delete']}" for k, v in r.get("ops_ms", {}).items())]
    return "\n".join(lines) + "\n"


def build_fixture(after_build, data, sizes, tree, describe_max):
    """The after build creates the buckets, the files are written beside it, its index is rebuilt from them at start."""
    proxy = start_proxy("listing-fixture", data, build=after_build)
    c = client(proxy.url, PROXY_KEYS)
    for n in sizes:
        c.create_bucket(Bucket=f"k{n}")
    c.create_bucket(Bucket="tree")
    proxy.stop()
    for n in sizes:
        write_files(data / f"k{n}", (flat_key(i) for i in range(n)))
    write_files(data / "tree", (tree_key(i) for i in range(tree)))
    shutil.rmtree(data / ".s3overlay" / "index")
    return describe_once(after_build, data, sizes, describe_max)


def describe_once(build, data, sizes, describe_max):
    """Starts the after build on the fixture (its index rebuilt: the log says how long), lists everything once so every file is described."""
    nofsync = WORK / "nofsync.so"
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", str(nofsync), str(ROOT / "bench" / "nofsync.c")], check=True)
    log = WORK / "listing-describe.log"
    log.unlink(missing_ok=True)
    # Its start-up rebuilds the index from every file first: minutes at a million keys on a busy machine.
    proxy = start_proxy("listing-describe", data, build=build, timeout=1800, env={
        "LD_PRELOAD": str(nofsync), "Logging__LogLevel__S3Overlay.Storage.FileSystem.FileSystemObjectStore": "Information"})
    c = client(proxy.url, PROXY_KEYS)
    for bucket in [f"k{n}" for n in sizes if n <= describe_max]:  # tree lists only common prefixes: nothing to describe
        list_all(c, bucket)
    proxy.stop()
    subprocess.run(["sync"], check=True)
    rebuilt = {}
    for line in open(log, errors="replace"):
        m = re.search(r"bucket (\S+) rebuilt from its files, (\d+) keys in ([\d.]+) s(?: \(([\d.]+) s of CPU\))?", line)
        if m:
            rebuilt[m.group(1)] = {"keys": int(m.group(2)), "seconds": float(m.group(3)), "cpu_seconds": float(m.group(4) or "nan")}
    return rebuilt


def start_up_seconds(name, data, build):
    """From exec to the first answer, and the process's peak RSS then."""
    t0 = time.perf_counter()
    proxy = start_proxy(name, data, build=build)
    seconds = time.perf_counter() - t0
    return proxy, seconds


def ops(builds, rounds, count=200, batch=20):
    """PUT, GET and DELETE of 4 KiB objects, one client per build, on the same disk: medians in ms. The
    builds take turns every `batch` requests, so a burst of load elsewhere falls on both alike."""
    out = {name: {"put": [], "get": [], "delete": []} for name, _ in builds}
    proxies = {}
    for name, build in builds:
        data = WORK / f"listing-ops-{name}"
        shutil.rmtree(data, ignore_errors=True)
        proxies[name] = start_proxy(f"listing-ops-{name}", data, build=build)
        client(proxies[name].url, PROXY_KEYS).create_bucket(Bucket="ops")
    body = os.urandom(4096)
    clients = {name: client(proxies[name].url, PROXY_KEYS) for name, _ in builds}
    calls = {"put": lambda c, k: c.put_object(Bucket="ops", Key=k, Body=body),
             "get": lambda c, k: c.get_object(Bucket="ops", Key=k)["Body"].read(),
             "delete": lambda c, k: c.delete_object(Bucket="ops", Key=k)}
    for r in range(rounds):
        for op, call in calls.items():
            for start in range(0, count, batch):
                for name, _ in builds:
                    for i in range(start, start + batch):
                        out[name][op].append(timed(lambda: call(clients[name], f"r{r}/o{i:04d}"))[0])
    for p in proxies.values():
        p.stop()
    return {name: {op: round(statistics.median(v), 3) for op, v in d.items()} for name, d in out.items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--builds", nargs="*", default=[f"after={WORK / 'proxy'}"])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rgw-max", type=int, default=100_000)
    parser.add_argument("--tree", type=int, default=TREE_FOLDERS * TREE_PER_FOLDER)
    parser.add_argument("--ops-rounds", type=int, default=3)
    parser.add_argument("--ops-only", action="store_true", help="only PUT, GET and DELETE, and the start-up over the data folders of an earlier run")
    parser.add_argument("--reuse", action="store_true", help="keep the after build's data folder and index of an earlier run (its files written already)")
    parser.add_argument("--describe-max", type=int, default=100_000,
                        help="buckets up to this size are described whole before the run (and listed whole); bigger ones only where the rows read")
    parser.add_argument("--versions-only", action="store_true", help="ListObjectVersions and ListMultipartUploads (see the doc), and PUT, GET and DELETE")
    parser.add_argument("--uploads", type=int, default=10_000, help="uploads in progress for the second ListMultipartUploads row")
    parser.add_argument("--whole-max-before", type=int, default=100_000, help="whole listings (of objects, of versions) of the builds before the last up to this size")
    parser.add_argument("--rgw-tree-per-folder", type=int, default=TREE_PER_FOLDER, help="keys in each of RGW's 10,000 sub-folders")
    parser.add_argument("--results", default="listing", help="the results' name: bench/results/NAME.json and NAME.md (with --versions-only, listing-versions unless given)")
    args = parser.parse_args()
    # RGW as its operators should run it: Nagle's algorithm off on its answers (beast's
    # tcp_nodelay=1), else each small answer waits 40 ms for the client's delayed ACK (docs/stores.md).
    os.environ["RGW_TCP_NODELAY"] = "1"
    builds = [(b.split("=", 1)[0], pathlib.Path(b.split("=", 1)[1]).resolve()) for b in args.builds]
    sizes = [int(s) for s in args.sizes.split(",")]
    after_name, after_build = builds[-1]
    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    results = {"started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "cores": os.cpu_count(),
               "load_average": float(open("/proc/loadavg").read().split()[0]), "sizes": sizes, "tree": args.tree,
               "rounds": args.rounds, "builds": [n for n, _ in builds], "rows": {}, "whole": {}, "folders": {}}
    rgw = None
    if args.versions_only:
        run_versions(args, builds)
        return
    if args.ops_only:
        only = {"started": results["started"], "load_average": results["load_average"], "start_up_seconds": {n: [] for n, _ in builds}}
        try:
            for _ in range(3):
                for name, build in builds:
                    proxy, seconds = start_up_seconds(f"listing-{name}", WORK / f"listing-data-{name}", build)
                    proxy.stop()
                    only["start_up_seconds"][name].append(round(seconds, 2))
            only["ops_ms"] = ops(builds, args.ops_rounds)
        finally:
            stop_all()
        only["finished"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
        (RESULTS / "listing-ops.json").write_text(json.dumps(only, indent=2))
        print(json.dumps(only, indent=2))
        return
    try:
        data = {name: WORK / f"listing-data-{name}" for name, _ in builds}
        for name, d in data.items():
            if not (args.reuse and name == after_name):
                shutil.rmtree(d, ignore_errors=True)
        t0 = time.perf_counter()
        if args.reuse:
            results["rebuild"] = describe_once(after_build, data[after_name], sizes, args.describe_max)
        else:
            results["rebuild"] = build_fixture(after_build, data[after_name], sizes, args.tree, args.describe_max)
        results["fixture_seconds"] = round(time.perf_counter() - t0, 1)
        for name, build in builds[:-1]:
            subprocess.run(["cp", "-al", str(data[after_name]), str(data[name])], check=True)
            shutil.rmtree(data[name] / ".s3overlay" / "index", ignore_errors=True)
            # A build with an index of its own (of another shape than the after build's) rebuilds it
            # at its first start: that start is not the one timed (a whole index is).
            start_proxy(f"listing-{name}-index", data[name], build=build, timeout=1800).stop()

        targets = {}
        results["start_up_seconds"] = {}
        for name, build in builds:
            proxy, seconds = start_up_seconds(f"listing-{name}", data[name], build)
            targets[name] = (proxy, client(proxy.url, PROXY_KEYS))
            results["start_up_seconds"][name] = round(seconds, 2)

        if args.rgw_max > 100_000:  # RGW's OSD holds every object in RAM: see the doc
            os.environ["RGW_PG_LOG_ENTRIES"] = "500"
        rgw = Rgw()
        rgw_c = client(rgw.url, rgw.main)
        t0 = time.perf_counter()
        rgw_keys = 0
        for n in sizes:
            if n <= args.rgw_max:
                wrk_fill(rgw_c, rgw.url, f"k{n}", n, "flat")
                rgw_keys += n
        wrk_fill(rgw_c, rgw.url, "tree", TREE_FOLDERS * args.rgw_tree_per_folder, "tree")
        rgw_keys += TREE_FOLDERS * args.rgw_tree_per_folder
        results["rgw_fill_seconds"] = round(time.perf_counter() - t0, 1)
        results["rgw_fill_puts_per_second"] = round(rgw_keys / results["rgw_fill_seconds"])
        print("rgw filled", rgw_keys, "keys in", results["rgw_fill_seconds"], "s", flush=True)
        targets["rgw"] = (None, rgw_c)

        for n in sizes:
            for row, call in rows_for(n).items():
                samples = {name: [] for name in targets}
                for r in range(args.rounds + 1):  # the first round unmeasured: it describes what the row reads, warms caches
                    for name, (_, c) in targets.items():
                        if name == "rgw" and n > args.rgw_max:
                            continue
                        ms, count = timed(lambda: call(c))
                        if r > 0:
                            samples[name].append(ms)
                        assert count == (min(1000, n - n // 2 - 1) if row.startswith("page") else 100), (name, n, row, count)
                results["rows"][f"{row} {n}"] = {k: round(statistics.median(v), 1) for k, v in samples.items() if v}
                print(row, n, results["rows"][f"{row} {n}"], flush=True)
        samples = {name: [] for name in targets}
        for r in range(args.rounds + 1):
            for name, (_, c) in targets.items():
                ms, (count, _) = timed(lambda: list_all(c, "tree", Prefix="s/", Delimiter="/"))
                assert count == TREE_FOLDERS, (name, count)
                if r > 0:
                    samples[name].append(ms)
        results["folders"] = {k: round(statistics.median(v), 1) for k, v in samples.items()}
        print("folders", results["folders"], flush=True)
        for n in sizes:
            results["whole"][n] = {}
            for name, (_, c) in targets.items():
                if (name == "rgw" and n > args.rgw_max) or (name != "rgw" and n > args.describe_max) or (
                        name not in ("rgw", after_name) and n > args.whole_max_before):
                    continue
                ms, (count, _) = timed(lambda: list_all(c, f"k{n}"))
                assert count == n, (name, n, count)
                results["whole"][n][name] = round(ms / 1000, 2)
            print("whole", n, results["whole"][n], flush=True)
        close_run(results, targets, builds, args.ops_rounds)
    finally:
        stop_all()
        if rgw:
            rgw.stop()
    write_results(results, args.results, report)


def report(r):
    names = r["builds"] + ["rgw"]
    lines = [f"Run {r['started']} – {r['finished']}, {r['cores']} cores (load {r['load_average']}), medians of {r['rounds']} rounds, ms; "
             f"RGW built to {max([n for n in r['sizes'] if any(k.endswith(' ' + str(n)) and 'rgw' in v for k, v in r['rows'].items())] or [0])} keys.", "",
             "| row | keys | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]
    for key, v in r["rows"].items():
        row, n = key.split()
        lines.append(f"| {row} | {int(n):,} | " + " | ".join(str(v.get(x, "")) for x in names) + " |")
    lines.append(f"| folders (10,000 sub-folders, 10 pages) | {r['tree']:,} | " + " | ".join(str(r["folders"].get(x, "")) for x in names) + " |")
    for n, v in r["whole"].items():
        lines.append(f"| whole listing, s | {int(n):,} | " + " | ".join(str(v.get(x, "")) for x in names) + " |")
    lines += ["", "Start-up (exec to first answer), s: " + ", ".join(f"{k} {v}" for k, v in r["start_up_seconds"].items()),
              "Index rebuilt from the files at start: " + ", ".join(f"{k} {v['keys']:,} keys in {v['seconds']} s" for k, v in r["rebuild"].items()),
              f"RGW's buckets written (wrk, unsigned PUTs) in {r.get('rgw_fill_seconds')} s, {r.get('rgw_fill_puts_per_second')} PUTs/s",
              "Peak RSS after the run, MiB: " + ", ".join(f"{k} {v}" for k, v in r.get("peak_rss_mib", {}).items()),
              "PUT / GET / DELETE of 4 KiB, one client, medians ms: " + "; ".join(
                  f"{k} {v['put']} / {v['get']} / {v['delete']}" for k, v in r.get("ops_ms", {}).items())]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
