"""A fresh process's first fills (issue 27): one proxy started anew, cache on, one boto3 client
reading distinct 1 MiB objects from an s3rver remote, the proxy's CPU per fill in windows of
fills (utime + stime from /proc/PID/stat). Each runtime setting gets proxies of its own, runs
interleaved, so the JIT's tier-up shows as the gap between the first window and the last.

    python3 bench/fresh.py [fills] [runs]      (bench/run.sh publishes the proxy first)
"""
import os
import shutil
import statistics
import sys
import time

import boto3
from botocore.config import Config

sys.path.insert(0, os.path.dirname(__file__))
from servers import WORK, start_proxy, start_s3rver, stop_all  # noqa: E402

FILLS = int(sys.argv[1]) if len(sys.argv) > 1 else 1200
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 2
WINDOW = 100
SIZE = 1024 * 1024
BUCKET = "fresh"

# The runtime settings compared: the default, and what shortens tier-up.
ALL_SETTINGS = {
    "default": {},
    "TieredPGO=0": {"DOTNET_TieredPGO": "0"},
    "CallCountingDelayMs=0": {"DOTNET_TC_CallCountingDelayMs": "0"},
    "both": {"DOTNET_TieredPGO": "0", "DOTNET_TC_CallCountingDelayMs": "0"},
}
# FRESH_SETTINGS=default,CallCountingDelayMs=0 measures only those.
SETTINGS = {name: env for name, env in ALL_SETTINGS.items()
            if name in os.environ.get("FRESH_SETTINGS", ",".join(ALL_SETTINGS)).split(",")}


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def client(url, key, secret):
    return boto3.client("s3", endpoint_url=url, aws_access_key_id=key, aws_secret_access_key=secret,
                        region_name="us-east-1", config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))


def one_run(remote, name, env, run):
    data = WORK / f"fresh-{run}-{name.replace('=', '')}"
    shutil.rmtree(data, ignore_errors=True)
    proxy = start_proxy(f"fresh-{name.replace('=', '')}", data, env={
        "S3_OVERLAY_REMOTE_ENDPOINT": remote.url, "S3_OVERLAY_REMOTE_ACCESS_KEY_ID": "S3RVER",
        "S3_OVERLAY_REMOTE_SECRET_ACCESS_KEY": "S3RVER", "S3_OVERLAY_REMOTE_ADDRESSING_STYLE": "path",
        "S3_OVERLAY_REMOTE_BUCKETS": BUCKET, "S3_OVERLAY_CACHE_ENABLED": "true",
        "S3_OVERLAY_ACCESS_KEY": "bench", "S3_OVERLAY_SECRET_KEY": "benchsecret", **env})
    try:
        s3 = client(proxy.url, "bench", "benchsecret")
        windows = []
        start = cpu_seconds(proxy.pid)
        for i in range(FILLS):
            s3.get_object(Bucket=BUCKET, Key=f"k{run}-{i:05d}")["Body"].read()
            if (i + 1) % WINDOW == 0:
                now = cpu_seconds(proxy.pid)
                windows.append((now - start) * 1000 / WINDOW)
                start = now
        return windows
    finally:
        proxy.stop()
        shutil.rmtree(data, ignore_errors=True)


def main():
    WORK.mkdir(parents=True, exist_ok=True)
    remote_dir = WORK / "fresh-remote"
    shutil.rmtree(remote_dir, ignore_errors=True)
    remote = start_s3rver(remote_dir)
    try:
        seed = client(remote.url, "S3RVER", "S3RVER")
        seed.create_bucket(Bucket=BUCKET)
        body = os.urandom(SIZE)
        for run in range(RUNS):
            for i in range(FILLS):
                seed.put_object(Bucket=BUCKET, Key=f"k{run}-{i:05d}", Body=body)
        results = {name: [] for name in SETTINGS}
        for run in range(RUNS):
            for name, env in SETTINGS.items():
                # A fresh data folder: every fill is cold, whichever setting read these keys before.
                results[name].append(one_run(remote, name, env, run))
                time.sleep(2)
        header = "| setting | " + " | ".join(f"fills {w * WINDOW + 1}-{(w + 1) * WINDOW}" for w in range(FILLS // WINDOW)) + " |"
        print(f"\nProxy CPU per 1 MiB fill (ms), median of {RUNS} fresh processes each (runs: {', '.join(str(r) for r in range(RUNS))})\n")
        print(header)
        print("|" + "---|" * (FILLS // WINDOW + 1))
        for name, runs in results.items():
            cells = [f"{statistics.median(r[w] for r in runs):.1f}" for w in range(FILLS // WINDOW)]
            print(f"| {name} | " + " | ".join(cells) + " |")
        for name, runs in results.items():
            for r in runs:
                print(name, " ".join(f"{v:.1f}" for v in r))
    finally:
        stop_all()


if __name__ == "__main__":
    main()
