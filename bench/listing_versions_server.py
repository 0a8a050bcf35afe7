"""What a page of ListObjectVersions costs the server, without boto3's parsing (most of a page's time
through boto3): each page asked for over raw HTTP with a presigned URL, its time taken to the last
byte, and the serving proxy's CPU for it read from /proc.

Over the data folders bench/listing.py --versions-only left (bench/work/listing-versions-<build>,
each with its build's index), builds by turns, each round:
  warm    the same page of 1,000 versions from mid-bucket, for 20 s unmeasured then 30 times measured
  pages   100 pages in a row from the bucket's first key (the page cache as the round before left it: dropped)
  cold    50 pages in a row from mid-bucket after the page cache is dropped (root: /proc/sys/vm/drop_caches)

Usage: python3 bench/listing_versions_server.py --builds files=DIR records=DIR [--bucket v100000] [--rounds 2]
    [--out listing-versions-server]
Writes bench/results/<out>.md.
"""
import argparse
import pathlib
import http.client
import re
import statistics
import time
import urllib.parse

import boto3
from botocore.config import Config

from servers import PROXY_KEYS, ROOT, WORK, start_proxy, stop_all


WARM_SECONDS = 20


def cpu_ms(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 10  # utime + stime, in ticks of 10 ms


class Pages:
    def __init__(self, url, bucket):
        self.port = urllib.parse.urlsplit(url).port
        self.bucket = bucket
        self.client = boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id=PROXY_KEYS[0],
                                   aws_secret_access_key=PROXY_KEYS[1],
                                   config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))

    def page(self, key_marker, version_marker=None):
        """One page's time in ms and the markers of the next."""
        params = {"Bucket": self.bucket, "MaxKeys": 1000, "KeyMarker": key_marker}
        if version_marker:
            params["VersionIdMarker"] = version_marker
        url = urllib.parse.urlsplit(self.client.generate_presigned_url("list_object_versions", Params=params, ExpiresIn=600))
        conn = http.client.HTTPConnection("127.0.0.1", self.port)
        started = time.perf_counter()
        conn.request("GET", url.path + "?" + url.query)
        response = conn.getresponse()
        body = response.read()
        ms = (time.perf_counter() - started) * 1000
        conn.close()
        if response.status != 200:
            raise RuntimeError(f"{response.status}: {body[:300]!r}")
        keys = re.search(rb"<NextKeyMarker>([^<]*)</NextKeyMarker>", body)
        versions = re.search(rb"<NextVersionIdMarker>([^<]*)</NextVersionIdMarker>", body)
        return ms, keys.group(1).decode() if keys else None, versions.group(1).decode() if versions else None

    def run(self, start, count):
        """`count` pages in a row from `start` (from `start` again past the last one): their median time."""
        times, key, version = [], start, None
        for _ in range(count):
            ms, key, version = self.page(key, version)
            times.append(ms)
            if key is None:
                key, version = start, None
        return statistics.median(times)


def measure(name, build, bucket, mid):
    """One round of one build: {row: (median ms a page, server CPU ms a page)}."""
    proxy = start_proxy(f"listing-versions-server-{name}", WORK / f"listing-versions-{name}", build=build, timeout=1800)
    try:
        pages = Pages(proxy.url, bucket)
        rows = {}
        # Unmeasured for WARM_SECONDS: a fresh process's JIT recompiles the listing's code in the
        # background for its first seconds, and /proc counts that thread's CPU with the rest.
        warm_until = time.monotonic() + WARM_SECONDS
        while time.monotonic() < warm_until:
            pages.page(mid)
        cpu = cpu_ms(proxy.pid)
        times = [pages.page(mid)[0] for _ in range(30)]
        rows["warm"] = (statistics.median(times), (cpu_ms(proxy.pid) - cpu) / 30)
        cpu = cpu_ms(proxy.pid)
        rows["pages"] = (pages.run("", 100), (cpu_ms(proxy.pid) - cpu) / 100)
        with open("/proc/sys/vm/drop_caches", "w") as caches:
            caches.write("3\n")
        cpu = cpu_ms(proxy.pid)
        rows["cold"] = (pages.run(mid, 50), (cpu_ms(proxy.pid) - cpu) / 50)
        return rows
    finally:
        proxy.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--builds", nargs="+", required=True)
    parser.add_argument("--bucket", default="v100000")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", default="listing-versions-server", help="the results' name in bench/results/")
    args = parser.parse_args()
    builds = [(b.split("=", 1)[0], b.split("=", 1)[1]) for b in args.builds]
    n = int(args.bucket[1:])
    mid = f"k/{n // 2:07d}"
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    load = open("/proc/loadavg").read().split()[:3]
    results = {name: [] for name, _ in builds}
    try:
        for _ in range(args.rounds):
            for name, build in builds:
                results[name].append(measure(name, pathlib.Path(build), args.bucket, mid))
    finally:
        stop_all()
    lines = [f"# ListObjectVersions as the server serves it (bench/listing_versions_server.py)", "",
             f"Run {started} – {time.strftime('%H:%M:%S UTC', time.gmtime())}, 2 cores (load average {' '.join(load)} at the start), "
             f"bucket {args.bucket} (every key with 2 versions), {args.rounds} rounds, builds by turns; each cell a round's median ms a page "
             f"to the last byte, then the serving proxy's CPU ms a page.", "",
             "| row | " + " | ".join(name for name, _ in builds) + " |", "|---|" + "---|" * len(builds)]
    for row in ("warm", "pages", "cold"):
        cells = [", ".join(f"{ms:.1f} ms / {cpu:.0f} CPU" for ms, cpu in (r[row] for r in results[name])) for name, _ in builds]
        lines.append(f"| {row} | " + " | ".join(cells) + " |")
    text = "\n".join(lines) + "\n"
    print(text)
    (ROOT / "bench" / "results" / f"{args.out}.md").write_text(text)


if __name__ == "__main__":
    main()
