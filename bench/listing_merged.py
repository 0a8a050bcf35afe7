"""The overlay's merged listing over an embedded store of a million keys, beside the same store
listed on its own, for one or more builds in one run: does a merged page keep the local store's pace?

The local side is the after build's data folder of a bench/listing.py run (its k<N> bucket,
--data); the remote is a proxy of the last build over a folder of its own whose bucket k<N> holds
1,000 keys around the middle of the local ones: 500 the local side holds too (the local copy
wins) and 500 only the remote has, each sorting just after a local key (k/0500001r ...), so a
page from the middle mixes both sides. Per build, in turn (a data folder serves one process):
  local    the build as a plain server over the folder: the rows below
  overlay  the build as an overlay of the remote over the same folder (S3_OVERLAY_REMOTE_BUCKETS=*):
           first the time from exec until its eviction index is reconciled with the store (it
           walks every local bucket the remote backs), then the rows
Rows, medians of --rounds after --warmup unmeasured requests (boto3 on the same host): page (1,000 keys,
StartAfter mid-bucket), prefix (Prefix=k/<5 digits of the mid key>, Delimiter=/), and the same two
presigned on a kept-alive connection, read whole and not parsed (page-http, prefix-http: the
server's time); then the CPU a page-http costs the serving proxy (page-cpu) and, on a merged page,
the remote proxy (page-cpu-remote), each the mean over 300 pages of the two passes. Builds take turns, and the run goes through them --passes times, each pass in the
other order, so a drift of the machine falls on all alike.

Usage: python3 bench/listing_merged.py --builds [before=DIR] after=DIR [--data DIR] [--size 1000000] [--rounds 9] [--passes 2]
Writes bench/results/listing-merged.json and .md.
"""
import argparse
import json
import os
import pathlib
import shutil
import statistics
import time
import base64
import urllib.request

from listing import RESULTS, client, flat_key, put_all, rows_for, timed
from servers import PROXY_KEYS, WORK, overlay_env, start_proxy, stop_all

REMOTE_KEYS = 1000


def remote_keys(n):
    """500 keys the local side holds too, and 500 only the remote has, interleaved from the middle on."""
    first = n // 2 + 1
    return [flat_key(first + 2 * j) for j in range(REMOTE_KEYS // 2)] + [flat_key(first + 2 * j) + "r" for j in range(REMOTE_KEYS // 2)]


def rows(n, merged):
    """listing.py's requests (rows_for), and the keys each must answer: the merged side adds the remote-only keys in range."""
    prefix = flat_key(n // 2)[:7]
    in_prefix = 100 + (sum(1 for k in remote_keys(n) if k.endswith("r") and k.startswith(prefix)) if merged else 0)
    return {row: (call, 1000 if row.startswith("page") else in_prefix) for row, call in rows_for(n).items()}


def reconciled(url, bucket):
    """Whether the overlay's eviction index is reconciled with the store (the admin API's cache report of a bucket)."""
    request = urllib.request.Request(url + f"/_overlay/api/cache/{bucket}?prefix=",
                                     headers={"Authorization": "Basic " + base64.b64encode(f"{PROXY_KEYS[0]}:{PROXY_KEYS[1]}".encode()).decode()})
    return json.loads(urllib.request.urlopen(request, timeout=10).read()).get("reconciled") is True


def cpu_ms(pid):
    """The CPU time (user and system) the process has used so far, ms."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def cpu_per_page(c, n, merged, server, remote, pages=300):
    """The CPU each process spends on a page of 1,000 (page-http), over `pages` of them (the
    kernel counts it in ticks of 10 ms: 300 pages of a few ms each make it a few per cent): the
    serving proxy's, and on a merged page the remote's, so what the overlay adds is told apart from
    what the remote (on the same cores) costs."""
    call = rows(n, merged)["page-http"][0]
    processes = [("page-cpu", server)] + ([("page-cpu-remote", remote)] if merged else [])
    before = {row: cpu_ms(p.pid) for row, p in processes}
    for _ in range(pages):
        call(c)
    return {row: [(cpu_ms(p.pid) - before[row]) / pages] for row, p in processes}


def measure(c, n, merged, rounds, warmup):
    """The rows, after `warmup` unmeasured requests of each raw kind: a fresh process's first
    hundred answers run code the JIT has not optimized yet (its tiering), which is not the pace of
    a server that has been up for a while."""
    for row, (call, _) in rows(n, merged).items():
        if row.endswith("-http"):
            for _ in range(warmup):
                call(c)
    out = {}
    for row, (call, expected) in rows(n, merged).items():
        samples = []
        for r in range(rounds + 1):
            ms, count = timed(lambda: call(c))
            assert count == expected, (row, merged, count, expected)
            if r > 0:
                samples.append(ms)
        out[row] = samples
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--builds", nargs="+", default=[f"after={WORK / 'proxy'}"])
    parser.add_argument("--data", default=str(WORK / "listing-data-after"))
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=200, help="unmeasured raw requests of each kind before the rows")
    args = parser.parse_args()
    builds = [(b.split("=", 1)[0], pathlib.Path(b.split("=", 1)[1]).resolve()) for b in args.builds]
    data, n = pathlib.Path(args.data).resolve(), args.size  # the servers run in their build folders
    assert (data / f"k{n}").is_dir(), f"{data} has no bucket k{n}: build it with bench/listing.py first"
    results = {"started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "cores": os.cpu_count(),
               "load_average": open("/proc/loadavg").read().split()[:3], "size": n, "rounds": args.rounds, "passes": args.passes, "warmup": args.warmup,
               "builds": [name for name, _ in builds], "rows": {}, "reconcile_seconds": {}}
    samples = {}
    try:
        remote_data = WORK / "listing-merged-remote"
        shutil.rmtree(remote_data, ignore_errors=True)
        remote = start_proxy("listing-merged-remote", remote_data, build=builds[-1][1])
        remote_c = client(remote.url, PROXY_KEYS)
        remote_c.create_bucket(Bucket=f"k{n}")
        put_all(remote_c, f"k{n}", remote_keys(n))
        for p in range(args.passes):
            for name, build in (builds if p % 2 == 0 else builds[::-1]):
                local = start_proxy(f"listing-merged-{name}-local", data, build=build)
                local_c = client(local.url, PROXY_KEYS)
                for row, v in {**measure(local_c, n, False, args.rounds, args.warmup), **cpu_per_page(local_c, n, False, local, remote)}.items():
                    samples.setdefault((row, name, "local"), []).extend(v)
                local.stop()
                t0 = time.perf_counter()
                overlay = start_proxy(f"listing-merged-{name}-overlay", data, build=build, env=overlay_env(remote.url, PROXY_KEYS), timeout=600)
                while not reconciled(overlay.url, f"k{n}"):
                    time.sleep(0.2)
                results["reconcile_seconds"].setdefault(name, []).append(round(time.perf_counter() - t0, 1))
                overlay_c = client(overlay.url, PROXY_KEYS)
                for row, v in {**measure(overlay_c, n, True, args.rounds, args.warmup), **cpu_per_page(overlay_c, n, True, overlay, remote)}.items():
                    samples.setdefault((row, name, "overlay"), []).extend(v)
                overlay.stop()
                print(name, "pass", p, "reconciled in", results["reconcile_seconds"][name][-1], "s", flush=True)
        for (row, name, side), v in samples.items():
            results["rows"].setdefault(row, {})[f"{name} {side}"] = round(statistics.median(v), 1)
    finally:
        stop_all()
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    (RESULTS / "listing-merged.json").write_text(json.dumps(results, indent=2))
    (RESULTS / "listing-merged.md").write_text(report(results))
    print(report(results))


def report(r):
    columns = [f"{b} {side}" for b in r["builds"] for side in ("local", "overlay")]
    lines = [f"Run {r['started']} – {r['finished']}, {r['cores']} cores (load average {' '.join(r['load_average'])} at the start), "
             f"{r['size']:,} local keys, {REMOTE_KEYS:,} remote; medians of {r['rounds']} rounds × {r['passes']} passes after {r.get('warmup', 0)} unmeasured requests, ms.", "",
             "| row | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
    for row, v in r["rows"].items():
        lines.append(f"| {row} | " + " | ".join(str(v.get(c, "")) for c in columns) + " |")
    lines += ["", "The overlay's start until its eviction index is reconciled, s: " + "; ".join(
        f"{name} {', '.join(str(s) for s in v)}" for name, v in r["reconcile_seconds"].items())]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
